// drctl: the operator's command line. Each module registers its own subcommands (commands.h);
// this file only wires them together and turns exceptions into exit codes at the boundary.
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"drctl — dr-app's disaster-recovery control tool"};
  app.require_subcommand(1);
  app.add_subcommand("version", "print the version")->callback([] { std::cout << "drctl 0.1\n"; });
  dr::cli::register_commands(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const dr::cli::ExitCode& code) {
    return code.value;
  } catch (const std::exception& e) {
    std::cerr << "drctl: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
