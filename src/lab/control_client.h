// One client of the supervisor's control API (control_api.h) for everyone who calls it: drctl's
// lab commands and the lab's backends (the controller, the witness, the lab's AWS endpoint). It
// sends the lab's token, bounds the connect and the answer, and says what a failure means for
// the caller, who words it: nothing sent, sent but no answer (it may have been applied), or the
// supervisor's own refusal with its HTTP status and `{"error": ...}`.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <expected>
#include <filesystem>
#include <string>

#include "lab/error.h"

namespace dr::lab {

struct LabState;

struct ControlError {
  enum class Kind {
    kNotSent,   // no connection: nothing was sent
    kNoAnswer,  // sent, and no (complete) answer: the call may have been applied
    kHttp,      // the supervisor answered with an error status
    kNotJson,   // it answered 2xx, but not with JSON (every route answers JSON)
  };
  Kind kind = Kind::kNotSent;
  int http_status = 0;  // kHttp and kNotJson
  // kHttp, kNotJson: the answer's body as it came; else httplib's words for what went wrong.
  std::string detail;
  // kHttp: the answer's "error" when it is the API's JSON error, else `detail`.
  std::string reason;
};

struct ControlClientOptions {
  std::string host;  // the control API's address and port (state.json's `control`)
  std::uint16_t port = 0;
  std::string token;  // the lab's control token (control_token.h)
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds read_timeout{10'000};
  // Where the calls leave from (a site's address, so that the lab's cut of that site cuts them
  // too: docs/partitions.md); "": the kernel's choice.
  std::string source_address;
};

class ControlClient {
 public:
  explicit ControlClient(ControlClientOptions options) : options_(std::move(options)) {}

  // The client of the lab in `dir`: its control address from state.json and its token. kNotFound
  // when the supervisor has no control API yet.
  static Result<ControlClient> of_lab(const std::filesystem::path& dir,
                                      std::chrono::milliseconds read_timeout);
  // The same with the lab's state already read (its token is still read from `dir`).
  static Result<ControlClient> of_lab(const std::filesystem::path& dir, const LabState& state,
                                      std::chrono::milliseconds read_timeout);

  // GET, PUT, POST or DELETE `path`; `body` goes with PUT and POST ("{}" when null). A 2xx
  // answer's JSON.
  std::expected<nlohmann::json, ControlError> call(const std::string& method,
                                                   const std::string& path,
                                                   const nlohmann::json& body = {}) const;

  const ControlClientOptions& options() const { return options_; }

 private:
  ControlClientOptions options_;
};

}  // namespace dr::lab
