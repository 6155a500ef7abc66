// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// `InsertOnlyMap`: a concurrent hash map for read-mostly caches on the dispatch hot path.
///
/// Readers take no lock and write no shared memory: `find` loads the current table with one
/// acquire load and probes it (open addressing, linear probing), comparing keys of immutable
/// nodes. Writers (rare: the first call of a shape) are serialized by a mutex; they publish a
/// node into an empty slot with a release store, and grow the table by building a larger one
/// and publishing it. Nodes are never moved or freed before the map, so a pointer returned by
/// `find` stays valid for the map's lifetime; replaced tables are kept until destruction (their
/// total size is less than the live table's, so memory stays O(entries)).
///
/// Values should be immutable after insertion (or synchronize themselves).

#ifndef TS_IMPL_REGISTRY_INTERNAL
#error "insert_only_map.h is private to core/src/registry"
#endif

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace tessera::registry::detail {

template <typename Key, typename Value, typename Hash = std::hash<Key>>
class InsertOnlyMap {
 public:
  InsertOnlyMap() { publish(std::make_unique<Table>(kInitialCapacity)); }
  InsertOnlyMap(const InsertOnlyMap&) = delete;
  InsertOnlyMap& operator=(const InsertOnlyMap&) = delete;

  /// The value for `key`, or null. Lock-free; safe concurrently with inserts.
  const Value* find(const Key& key) const { return find_in(*table_.load(std::memory_order_acquire), key, Hash{}(key)); }

  /// The value for `key`, inserting `make()` first if absent (under the writer lock, so `make`
  /// runs at most once per key; keep it cheap: it must not call back into this map).
  template <typename Make>
  const Value& get_or_insert(const Key& key, Make&& make) {
    const std::size_t h = Hash{}(key);
    if (const Value* v = find_in(*table_.load(std::memory_order_acquire), key, h)) return *v;
    std::lock_guard<std::mutex> lock(write_mutex_);
    Table* t = table_.load(std::memory_order_relaxed);
    if (const Value* v = find_in(*t, key, h)) return *v;
    if ((count_ + 1) * 2 > t->slots.size()) t = grow(*t);
    nodes_.push_back(std::make_unique<Node>(Node{h, key, make()}));
    insert_node(*t, nodes_.back().get());
    ++count_;
    return nodes_.back()->value;
  }

  /// Number of entries (takes the writer lock; for tests and statistics).
  std::size_t size() const {
    std::lock_guard<std::mutex> lock(write_mutex_);
    return count_;
  }

 private:
  static constexpr std::size_t kInitialCapacity = 16;  // a power of two
  struct Node {
    std::size_t hash;
    Key key;
    Value value;
  };
  struct Table {
    explicit Table(std::size_t n) : slots(n) {}
    std::vector<std::atomic<const Node*>> slots;
  };

  static const Value* find_in(const Table& t, const Key& key, std::size_t h) {
    const std::size_t mask = t.slots.size() - 1;
    for (std::size_t i = h & mask;; i = (i + 1) & mask) {
      const Node* n = t.slots[i].load(std::memory_order_acquire);
      if (n == nullptr) return nullptr;
      if (n->hash == h && n->key == key) return &n->value;
    }
  }
  static void insert_node(Table& t, const Node* node) {
    const std::size_t mask = t.slots.size() - 1;
    std::size_t i = node->hash & mask;
    while (t.slots[i].load(std::memory_order_relaxed) != nullptr) i = (i + 1) & mask;
    t.slots[i].store(node, std::memory_order_release);
  }
  Table* grow(const Table& old) {
    auto bigger = std::make_unique<Table>(old.slots.size() * 2);
    for (const auto& s : old.slots)
      if (const Node* n = s.load(std::memory_order_relaxed)) insert_node(*bigger, n);
    return publish(std::move(bigger));
  }
  Table* publish(std::unique_ptr<Table> t) {
    Table* raw = t.get();
    tables_.push_back(std::move(t));
    table_.store(raw, std::memory_order_release);
    return raw;
  }

  std::atomic<Table*> table_{nullptr};
  mutable std::mutex write_mutex_;
  std::vector<std::unique_ptr<Table>> tables_;  // every table ever published (readers may hold old ones)
  std::vector<std::unique_ptr<Node>> nodes_;
  std::size_t count_ = 0;
};

}  // namespace tessera::registry::detail
