// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// Whole-file reads and crash-safe whole-file writes.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace tessera {

/// Writes `contents` to `path` atomically: a temporary file in the same folder is written,
/// flushed (fsync) and renamed over `path`, so readers see either the old or the new file, never
/// a partial one, even if the process dies mid-write. Creates missing parent folders. Throws
/// `UserError` naming the path and the OS error on failure (and removes the temporary file).
void write_file_atomically(const std::filesystem::path& path, std::string_view contents);

/// Reads a whole file; `std::nullopt` if it does not exist. Throws `UserError` (path + OS error)
/// if it exists but cannot be read.
std::optional<std::string> read_file_if_exists(const std::filesystem::path& path);

}  // namespace tessera
