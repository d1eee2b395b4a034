// Benchmark (not a test): the time from starting `bootstrap` to its first GET invocation/next
// against a loopback Runtime API: what a cold start adds before the first event can be served
// (loading its libraries, parsing the configuration, building the clients). Goal: <= 20 ms.
//
//   bench_lambda_init [path/to/bootstrap] [runs]
//
// Give it the bootstrap unpacked from dist/dr-controller-lambda.zip to measure it with its
// bundled lib/ (docs/lambda.md, "Packaging"); the default is the build tree's.
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "lab/process.h"
#include "lambda/support/function_environment.h"
#include "lambda/support/runtime_api_server.h"

int main(int argc, char** argv) {
  std::string bootstrap = argc > 1 ? argv[1] : BOOTSTRAP_BINARY;
  int runs = argc > 2 ? std::max(1, std::stoi(argv[2])) : 30;
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    dr::test::RuntimeApiServer server;
    dr::lab::SpawnOptions options;
    options.argv = {bootstrap};
    options.env = dr::test::function_environment();
    options.env.insert(options.env.begin(), {"AWS_LAMBDA_RUNTIME_API", server.host()});
    for (auto& [name, value] : options.env)
      if (name == "DR_CONTROLLER_TICK_SECONDS") value = "10";
    const auto start = std::chrono::system_clock::now();
    auto process = dr::lab::Process::spawn(std::move(options));
    if (!process) {
      std::fprintf(stderr, "spawn: %s\n", process.error().message.c_str());
      return 1;
    }
    if (!server.wait_next_calls(1, std::chrono::seconds(10))) {
      std::fprintf(stderr, "bootstrap never asked for an invocation\n");
      return 1;
    }
    const auto first = *server.first_next_ms();
    ms.push_back(static_cast<double>(
        first -
        std::chrono::duration_cast<std::chrono::milliseconds>(start.time_since_epoch()).count()));
    (void)process->stop(std::chrono::seconds(2));
  }
  std::sort(ms.begin(), ms.end());
  std::printf(
      "bootstrap start -> first next: runs %d, min %.0f ms, median %.0f ms, p90 %.0f ms, "
      "max %.0f ms (%s)\n",
      runs, ms.front(), ms[ms.size() / 2], ms[ms.size() * 9 / 10], ms.back(), bootstrap.c_str());
  return 0;
}
