// A stand-in for `bootstrap` that speaks the Runtime API with plain HTTP (not the project's
// client), so that the emulator's side of the contract is checked on its own. FAKE_MODE picks
// what it does with each invocation:
//   echo        respond with what it received (headers, event, selected variables); first posts
//               to a wrong id, and after responding posts again and to init/error, printing each
//               status as a JSON line on stdout;
//   error       post an invocation error (Handler.Boom);
//   init-error  post /init/error and exit 1 before any `next`;
//   crash       exit 3 after receiving the invocation (mid-way);
//   crash-once  as crash in the first environment (FAKE_MARKER absent), then echo;
//   hang        receive the invocation and never answer;
//   respond-exit  respond "{}" and exit 0 at once;
//   respond-bytes respond with bytes that are not UTF-8;
//   probe       one `next` (at most 5 s) and one post to init/error; prints both statuses.
#include <httplib.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "<unset>";
}

void say(const nlohmann::json& j) {
  std::printf("%s\n", j.dump().c_str());
  std::fflush(stdout);
}

}  // namespace

int main() {
  const std::string api = env("AWS_LAMBDA_RUNTIME_API");
  const auto colon = api.rfind(':');
  if (colon == std::string::npos) return 2;
  httplib::Client client(api.substr(0, colon), std::stoi(api.substr(colon + 1)));
  client.set_read_timeout(3600, 0);
  const std::string base = "/2018-06-01/runtime";
  std::string mode = env("FAKE_MODE");
  if (mode == "crash-once") {
    const std::filesystem::path marker = env("FAKE_MARKER");
    if (std::filesystem::exists(marker)) {
      mode = "echo";
    } else {
      std::ofstream(marker) << "crashed once\n";
      mode = "crash";
    }
  }
  if (mode == "probe") {
    client.set_read_timeout(5, 0);
    auto next = client.Get(base + "/invocation/next");
    auto init = client.Post(base + "/init/error", "{}", "application/json");
    say({{"probeNextStatus", next ? next->status : -1},
         {"probeInitStatus", init ? init->status : -1}});
    return 0;
  }
  if (mode == "init-error") {
    httplib::Headers h{{"Lambda-Runtime-Function-Error-Type", "Runtime.ConfigInvalid"}};
    auto r = client.Post(base + "/init/error", h,
                         R"({"errorMessage":"DR_X: missing","errorType":"Runtime.ConfigInvalid",)"
                         R"("stackTrace":[]})",
                         "application/json");
    say({{"initErrorStatus", r ? r->status : -1}});
    return 1;
  }
  for (;;) {
    auto next = client.Get(base + "/invocation/next");
    if (!next || next->status != 200) return 1;  // a 500: the environment is gone
    const std::string id = next->get_header_value("Lambda-Runtime-Aws-Request-Id");
    if (mode == "crash") return 3;
    if (mode == "hang") {
      say({{"hangingPid", ::getpid()}});
      for (;;) ::pause();
    }
    if (mode == "respond-bytes") {
      client.Post(base + "/invocation/" + id + "/response", std::string("\"caf\xc3", 5),
                  "application/json");
      continue;
    }
    if (mode == "respond-exit") {
      client.Post(base + "/invocation/" + id + "/response", "{}", "application/json");
      return 0;
    }
    if (mode == "error") {
      httplib::Headers h{{"Lambda-Runtime-Function-Error-Type", "Handler.Boom"}};
      client.Post(base + "/invocation/" + id + "/error", h,
                  R"({"errorMessage":"boom","errorType":"Handler.Boom","stackTrace":[]})",
                  "application/json");
      continue;
    }
    auto wrong = client.Post(base + "/invocation/00000000-0000-4000-8000-000000000000/response",
                             "{}", "application/json");
    nlohmann::json out{
        {"requestId", id},
        {"deadlineMs", next->get_header_value("Lambda-Runtime-Deadline-Ms")},
        {"functionArn", next->get_header_value("Lambda-Runtime-Invoked-Function-Arn")},
        {"traceId", next->get_header_value("Lambda-Runtime-Trace-Id")},
        {"event", nlohmann::json::parse(next->body, nullptr, false)},
        {"wrongIdStatus", wrong ? wrong->status : -1},
        {"env",
         {{"AWS_LAMBDA_RUNTIME_API", env("AWS_LAMBDA_RUNTIME_API")},
          {"_HANDLER", env("_HANDLER")},
          {"AWS_LAMBDA_FUNCTION_NAME", env("AWS_LAMBDA_FUNCTION_NAME")},
          {"AWS_REGION", env("AWS_REGION")},
          {"DR_SECONDARY_REGION", env("DR_SECONDARY_REGION")},
          {"HOME", env("HOME")}}}};
    auto posted =
        client.Post(base + "/invocation/" + id + "/response", out.dump(), "application/json");
    auto again = client.Post(base + "/invocation/" + id + "/response", "{}", "application/json");
    auto late_init = client.Post(base + "/init/error", "{}", "application/json");
    say({{"responseStatus", posted ? posted->status : -1},
         {"againStatus", again ? again->status : -1},
         {"lateInitErrorStatus", late_init ? late_init->status : -1}});
  }
}
