// SPDX-License-Identifier: Apache-2.0
#include "tessera/support/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "tessera/error.h"

namespace tessera {

namespace fs = std::filesystem;

namespace {
std::string os_error(int err) { return std::strerror(err); }
}  // namespace

void write_file_atomically(const fs::path& path, std::string_view contents) {
  std::error_code ec;
  if (path.has_parent_path()) {
    fs::create_directories(path.parent_path(), ec);
    TS_USER_CHECK(!ec) << "cannot create folder " << path.parent_path() << " for " << path << ": "
                       << ec.message();
  }
  // A unique temporary name per process and call, in the same folder so rename() is atomic.
  static std::atomic<unsigned> counter{0};
  fs::path tmp = path;
  tmp += ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  TS_USER_CHECK(fd >= 0) << "cannot write " << path << ": creating " << tmp << " failed: "
                         << os_error(errno);
  const char* p = contents.data();
  std::size_t left = contents.size();
  int err = 0;
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      err = errno;
      break;
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  if (!err && ::fsync(fd) != 0) err = errno;
  if (::close(fd) != 0 && !err) err = errno;
  if (!err && ::rename(tmp.c_str(), path.c_str()) != 0) err = errno;
  if (err) {
    ::unlink(tmp.c_str());
    TS_USER_CHECK(false) << "cannot write " << path << ": " << os_error(err);
  }
}

std::optional<std::string> read_file_if_exists(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    // Decide from the open's own errno: checking existence again afterwards races with a
    // writer that creates the file in between (and then reports "No such file" as an error).
    int err = errno;
    std::error_code ec;
    if (err == ENOENT || !fs::exists(path, ec)) return std::nullopt;
    TS_USER_CHECK(false) << "cannot read " << path << ": " << os_error(err);
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  TS_USER_CHECK(!in.bad()) << "error while reading " << path;
  return ss.str();
}

}  // namespace tessera
