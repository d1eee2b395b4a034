// HTTP/1.1 on the wire for the socket transport: a request's head, and a response read from a
// byte source (status line, headers, a Content-Length, chunked or until-EOF body). No I/O of its
// own, so that the framing rules are in one place.
#pragma once

#include <cstddef>
#include <expected>
#include <functional>
#include <string>

#include "aws/http.h"
#include "aws/socket_connection.h"

namespace dr::aws::http1 {

// "METHOD target HTTP/1.1", Host (unless given), the request's headers in order, and a
// Content-Length for a body (or for any method but GET and HEAD). Never "Expect": AWS does not
// need the 100-continue round trip. Fails on a method, header name or value that would break the
// framing (CR, LF, NUL: header injection).
std::expected<std::string, std::string> request_head(const HttpRequest& request);

struct Response {
  HttpResponse response;
  bool keep_alive = false;  // the connection may carry the next request
};

struct ReadFailure {
  std::string message;
  IoStatus status = IoStatus::kFailed;  // kEof, kTimeout or kFailed (framing, limits, I/O)
  bool nothing_received = false;        // not one byte of a response arrived
};

// Reads one response. `read` is the connection's read_some with its deadline bound.
// `max_body`: a larger body is a failure (after reading no more than the limit).
std::expected<Response, ReadFailure> read_response(
    const std::function<IoResult(char*, size_t)>& read, bool head_request, size_t max_body);

}  // namespace dr::aws::http1
