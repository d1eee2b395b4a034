// The bearer token of the lab's HTTP APIs (the supervisor's control API and the witness):
// <lab dir>/control-token, mode 0600. Whoever can read the lab's files may drive the lab; any
// other local user (and any web page) gets 401.
#pragma once

#include <filesystem>
#include <string>

#include "lab/error.h"

namespace dr::lab {

std::filesystem::path control_token_file(const std::filesystem::path& lab_dir);

// Both sides first check that the lab directory is ours and not world-writable: there, another
// user could plant the token or the state file that tells drctl where to send it.
//
// The supervisor's side: reads the token, or creates it (0600 from the first byte, never
// world-readable for a moment) when there is none. A token file that another user owns or that
// others may read is refused: it could be planted or leaked.
Result<std::string> load_or_create_control_token(const std::filesystem::path& lab_dir);

// The clients' side (drctl, the controller, the witness): the token, or an error that says why
// there is none (no lab in that directory, or the file is not ours to read).
Result<std::string> read_control_token(const std::filesystem::path& lab_dir);

// Shared with the lab's other secrets (the AWS endpoint's keys, src/lab_aws):
// A file that must be a regular file of ours with mode 0600 (kRefused otherwise: it could be
// planted or leaked), read whole and trimmed. kNotFound when it does not exist.
Result<std::string> read_private_file(const std::filesystem::path& path);
// The token file says who may drive the lab, and state.json next to it says where drctl sends
// the token: in a directory another user owns or may write to (a /tmp/dr-lab someone created
// first), they could plant either one and collect the token.
Result<void> check_lab_dir(const std::filesystem::path& lab_dir);

}  // namespace dr::lab
