// Who is on the other end of a loopback TCP connection: the uid that owns the client's socket,
// read from /proc/net/tcp (both ends of a loopback connection are listed there). The Runtime API
// hands out events and takes responses from whoever connects; on a shared machine another user
// could otherwise take the controller's invocation or answer it.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

namespace dr::lab_lambda {

// The owner of the socket whose local end is `client_ip:client_port` and whose remote end is
// `server_ip:server_port`; nullopt when no such IPv4 connection is listed.
std::optional<uid_t> loopback_peer_uid(const std::string& client_ip, int client_port,
                                       const std::string& server_ip, int server_port);

}  // namespace dr::lab_lambda
