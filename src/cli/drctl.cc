// drctl: the operator's command line. Subcommands are registered by the modules that own them.
#include <CLI/CLI.hpp>

#include <iostream>

int main(int argc, char** argv) {
  CLI::App app{"drctl — dr-app's disaster-recovery control tool"};
  app.require_subcommand(1);
  app.add_subcommand("version", "print the version")->callback([] { std::cout << "drctl 0.1\n"; });
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return 0;
}
