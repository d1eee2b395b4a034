#include "lab/haproxy_runtime.h"

#include <charconv>
#include <optional>
#include <sstream>

#include "lab/net.h"

namespace dr::lab {
namespace {

std::vector<std::string> split(std::string_view line, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    const auto pos = line.find(sep, start);
    out.emplace_back(line.substr(start, pos == std::string_view::npos ? pos : pos - start));
    if (pos == std::string_view::npos) return out;
    start = pos + 1;
  }
}

std::uint64_t to_u64(const std::string& s) {
  std::uint64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) s.pop_back();
  return s;
}

}  // namespace

std::string_view to_string(ServerAdminState state) {
  switch (state) {
    case ServerAdminState::kReady:
      return "ready";
    case ServerAdminState::kDrain:
      return "drain";
    case ServerAdminState::kMaint:
      return "maint";
  }
  return "unknown";
}

Result<std::string> HaproxyRuntime::command(std::string_view command) const {
  auto s = connect_unix(socket_, timeout_);
  if (!s) return std::unexpected(s.error());
  // Without "prompt", HAProxy answers one command and closes the connection.
  if (auto sent = send_all(*s, std::string(command) + "\n", timeout_); !sent) {
    return std::unexpected(sent.error());
  }
  return read_to_eof(*s, timeout_);
}

Result<void> HaproxyRuntime::expect_silent(const std::string& cmd) const {
  auto answer = command(cmd);
  if (!answer) return std::unexpected(answer.error());
  // Successful admin commands answer nothing; errors answer a sentence.
  if (const std::string text = trimmed(*answer); !text.empty()) {
    return fail(ErrorKind::kProtocol, "haproxy refused '" + cmd + "': " + text);
  }
  return {};
}

Result<void> HaproxyRuntime::set_server_state(std::string_view backend, std::string_view server,
                                              ServerAdminState state) const {
  return expect_silent("set server " + std::string(backend) + "/" + std::string(server) +
                       " state " + std::string(to_string(state)));
}

Result<void> HaproxyRuntime::set_server_address(std::string_view backend, std::string_view server,
                                                std::string_view address,
                                                std::uint16_t port) const {
  const std::string cmd = "set server " + std::string(backend) + "/" + std::string(server) +
                          " addr " + std::string(address) + " port " + std::to_string(port);
  auto answer = command(cmd);
  if (!answer) return std::unexpected(answer.error());
  // Success is reported as "IP changed from ... to ..." (and/or "port changed ..."), or as
  // "no need to change the addr" when it already pointed there.
  const std::string text = trimmed(*answer);
  if (text.find("changed from") == std::string::npos &&
      text.find("no need to change") == std::string::npos && !text.empty()) {
    return fail(ErrorKind::kProtocol, "haproxy refused '" + cmd + "': " + text);
  }
  return {};
}

Result<void> HaproxyRuntime::set_server_check_port(std::string_view backend,
                                                   std::string_view server,
                                                   std::uint16_t port) const {
  const std::string cmd = "set server " + std::string(backend) + "/" + std::string(server) +
                          " check-port " + std::to_string(port);
  auto answer = command(cmd);
  if (!answer) return std::unexpected(answer.error());
  // HAProxy 2.6 answers "health check port updated."
  const std::string text = trimmed(*answer);
  if (text.find("updated") == std::string::npos && !text.empty())
    return fail(ErrorKind::kProtocol, "haproxy refused '" + cmd + "': " + text);
  return {};
}

Result<void> HaproxyRuntime::shutdown_sessions(std::string_view backend,
                                               std::string_view server) const {
  return expect_silent("shutdown sessions server " + std::string(backend) + "/" +
                       std::string(server));
}

Result<std::vector<ServerStat>> HaproxyRuntime::servers() const {
  auto answer = command("show stat");
  if (!answer) return std::unexpected(answer.error());
  return parse_show_stat(*answer);
}

Result<ServerStat> HaproxyRuntime::server(std::string_view backend, std::string_view server) const {
  auto all = servers();
  if (!all) return std::unexpected(all.error());
  for (auto& s : *all) {
    if (s.backend == backend && s.server == server) return std::move(s);
  }
  return fail(ErrorKind::kNotFound,
              "haproxy has no server " + std::string(backend) + "/" + std::string(server));
}

Result<std::vector<ServerStat>> parse_show_stat(std::string_view csv) {
  std::istringstream in{std::string(csv)};
  std::string header;
  if (!std::getline(in, header) || !header.starts_with("# ")) {
    return fail(ErrorKind::kProtocol, "not 'show stat' output: " + header);
  }
  const auto columns = split(std::string_view(header).substr(2), ',');
  auto index = [&](std::string_view name) -> std::optional<std::size_t> {
    for (std::size_t i = 0; i < columns.size(); ++i) {
      if (columns[i] == name) return i;
    }
    return std::nullopt;
  };
  const auto px = index("pxname"), sv = index("svname"), status = index("status"),
             type = index("type"), addr = index("addr"), bck = index("bck"), stot = index("stot"),
             scur = index("scur");
  if (!px || !sv || !status || !type) {
    return fail(ErrorKind::kProtocol, "'show stat' lacks pxname/svname/status/type columns");
  }
  std::vector<ServerStat> out;
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    const auto f = split(line, ',');
    auto field = [&](std::optional<std::size_t> i) -> std::string {
      return i && *i < f.size() ? f[*i] : std::string();
    };
    if (field(type) != "2") continue;  // 0 frontend, 1 backend, 2 server
    ServerStat s;
    s.backend = field(px);
    s.server = field(sv);
    s.status = field(status);
    s.address = field(addr);
    s.backup = field(bck) == "1";
    s.total_sessions = to_u64(field(stot));
    s.current_sessions = to_u64(field(scur));
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace dr::lab
