// SPDX-License-Identifier: Apache-2.0
// CaseKey: content equality and hashing, Python-exact canonical strings, parsing.
// Expected canonical strings were produced by CPython 3.11:
//   json.dumps(d, sort_keys=True, separators=(",", ":"))
#include "tessera/keys/case_key.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unordered_set>

#include "tessera/error.h"

namespace tessera {
namespace {

using ::testing::HasSubstr;

CaseKey key(std::vector<CaseKey::Field> f) { return CaseKey(std::move(f)); }

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const UserError& e) {
    return e.what();
  }
  return "<no UserError>";
}

TEST(CaseKey, EqualityAndHashIgnoreInsertionOrder) {
  CaseKey a = key({{"numtokens", std::int64_t{256}}, {"intermediate", std::int64_t{4096}}});
  CaseKey b = key({{"intermediate", std::int64_t{4096}}, {"numtokens", std::int64_t{256}}});
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.hash(), b.hash());
  EXPECT_EQ(std::hash<CaseKey>{}(a), std::hash<CaseKey>{}(b));
  EXPECT_EQ(a.canonical(), R"({"intermediate":4096,"numtokens":256})");
  // Insertion order is kept for writing files.
  EXPECT_EQ(a.fields()[0].first, "numtokens");
  EXPECT_EQ(json::dumps_compact(a.to_json(), false), R"({"numtokens":256,"intermediate":4096})");
  std::unordered_set<CaseKey> set{a};
  EXPECT_TRUE(set.count(b));
}

TEST(CaseKey, IntAndFloatAreDistinct) {
  CaseKey i = key({{"a", std::int64_t{1}}});
  CaseKey f = key({{"a", 1.0}});
  CaseKey t = key({{"a", true}});
  EXPECT_NE(i, f);
  EXPECT_NE(i, t);
  EXPECT_EQ(i.canonical(), R"({"a":1})");
  EXPECT_EQ(f.canonical(), R"({"a":1.0})");
  EXPECT_EQ(t.canonical(), R"({"a":true})");
  EXPECT_EQ(i.get_int("a"), 1);
  EXPECT_EQ(f.get_int("a"), std::nullopt);
  EXPECT_EQ(f.get_int("missing"), std::nullopt);
}

TEST(CaseKey, CanonicalFloatsMatchPythonRepr) {
  struct Case {
    double v;
    const char* expected;
  };
  for (const Case& c : {Case{1e-05, R"({"a":1e-05})"}, Case{1e16, R"({"a":1e+16})"},
                        Case{123456789012345678.0, R"({"a":1.2345678901234568e+17})"},
                        Case{0.1, R"({"a":0.1})"}, Case{-0.0, R"({"a":-0.0})"},
                        Case{2.5e-7, R"({"a":2.5e-07})"}, Case{5e-324, R"({"a":5e-324})"}}) {
    EXPECT_EQ(key({{"a", c.v}}).canonical(), c.expected);
  }
}

TEST(CaseKey, CanonicalEscapesLikePython) {
  CaseKey u = key({{"\xc3\xa9", std::string("\xc3\xbc\xf0\x9f\x98\x80")}});  // é: "ü😀"
  EXPECT_EQ(u.canonical(), R"({"\u00e9":"\u00fc\ud83d\ude00"})");
  CaseKey m = key({{"c", std::string("x\"y\\\n")}, {"b", true}, {"a", nullptr}});
  EXPECT_EQ(m.canonical(), R"({"a":null,"b":true,"c":"x\"y\\\n"})");
  // Sorted by code point: upper case before '_' before lower case.
  CaseKey s = key({{"z", std::int64_t{1}}, {"Z", std::int64_t{2}}, {"_", std::int64_t{3}}});
  EXPECT_EQ(s.canonical(), R"({"Z":2,"_":3,"z":1})");
}

TEST(CaseKey, OrderedByCanonicalString) {
  CaseKey a = key({{"n", std::int64_t{16}}});
  CaseKey b = key({{"n", std::int64_t{2}}});
  // String order, as vLLM's sorted(keys, key=str): "16" < "2".
  EXPECT_LT(a, b);
  EXPECT_LT(a, CaseKey::default_key());  // "}" sorts after "\"": the default key is last
}

TEST(CaseKey, DefaultKeyRules) {
  const CaseKey& d = CaseKey::default_key();
  EXPECT_TRUE(d.is_default());
  EXPECT_EQ(d.canonical(), "{}");
  EXPECT_EQ(d.size(), 0u);
  EXPECT_THAT(error_of([] { CaseKey k(std::vector<CaseKey::Field>{}); }),
              HasSubstr("default_key()"));
  EXPECT_EQ(CaseKey::parse("{}"), d);
  EXPECT_TRUE(CaseKey::from_json(json::Json::object(), "test").is_default());
  EXPECT_FALSE(key({{"a", std::int64_t{1}}}).is_default());
}

TEST(CaseKey, RejectsBadFields) {
  EXPECT_THAT(error_of([] { key({{"a", std::int64_t{1}}, {"a", std::int64_t{2}}}); }),
              HasSubstr("\"a\" is given twice"));
  EXPECT_THAT(error_of([] { key({{"", std::int64_t{1}}}); }), HasSubstr("must not be empty"));
  EXPECT_THAT(error_of([] { CaseKey::from_json(json::Json::parse(R"({"a":[1]})"), "f.json"); }),
              HasSubstr("f.json: field \"a\": a case key value must be a JSON scalar"));
  EXPECT_THAT(error_of([] { CaseKey::from_json(json::Json::parse("[1]"), "f.json"); }),
              HasSubstr("must be a JSON object"));
}

TEST(CaseKey, ParseCanonicalRoundTrips) {
  for (const char* text : {R"({"intermediate":4096,"numtokens":256})", R"({"a":1e-05})",
                           R"({"a":1.0,"b":1})", R"({"\u00e9":"\u00fc\ud83d\ude00"})",
                           R"({"a":null,"b":false,"c":"x,y=z"})"}) {
    CaseKey k = CaseKey::parse(text);
    EXPECT_EQ(k.canonical(), text);
    EXPECT_EQ(CaseKey::parse(k.canonical()), k);
  }
  // Non-canonical input text gives the canonical key.
  EXPECT_EQ(CaseKey::parse(R"({ "b": 2, "a": 1 })").canonical(), R"({"a":1,"b":2})");
  EXPECT_THAT(error_of([] { CaseKey::parse(R"({"a":1)"); }), HasSubstr("invalid JSON"));
}

TEST(CaseKey, ParseCli) {
  CaseKey k = CaseKey::parse_cli("numtokens=256,intermediate=4096");
  EXPECT_EQ(k, CaseKey::parse(R"({"intermediate":4096,"numtokens":256})"));
  EXPECT_EQ(k.fields()[0].first, "numtokens");
  // JSON values keep their type; anything else is a bare string; quoted commas do not split.
  CaseKey t = CaseKey::parse_cli(R"(eps=1e-05, f=1.0, on=true, n=null, s=nvidia, q="a,b")");
  EXPECT_EQ(t.canonical(), R"({"eps":1e-05,"f":1.0,"n":null,"on":true,"q":"a,b","s":"nvidia"})");
  EXPECT_EQ(CaseKey::parse_cli("{}"), CaseKey::default_key());
  EXPECT_EQ(CaseKey::parse_cli(R"({"a":1})"), key({{"a", std::int64_t{1}}}));
}

TEST(CaseKey, ParseCliErrorsQuoteTheArgument) {
  EXPECT_THAT(error_of([] { CaseKey::parse_cli(""); }), HasSubstr("\"{}\" to select the default"));
  EXPECT_THAT(error_of([] { CaseKey::parse_cli("  "); }), HasSubstr("empty case key argument"));
  EXPECT_THAT(error_of([] { CaseKey::parse_cli("a=1,b"); }),
              HasSubstr("malformed case key argument 'a=1,b': 'b' is not of the form name=value"));
  EXPECT_THAT(error_of([] { CaseKey::parse_cli("=3"); }), HasSubstr("not of the form name=value"));
  EXPECT_THAT(error_of([] { CaseKey::parse_cli("a="); }), HasSubstr("field 'a' has no value"));
  EXPECT_THAT(error_of([] { CaseKey::parse_cli("a=1,a=2"); }), HasSubstr("given twice"));
  EXPECT_THAT(error_of([] { CaseKey::parse_cli("a=[1]"); }), HasSubstr("JSON scalar"));
}

}  // namespace
}  // namespace tessera
