#include "cli/commands.h"

namespace dr::cli {

void register_commands(CLI::App& app) {
  (void)app;  // modules add their register_* calls here
  dr::infra::register_infra_commands(app);
  dr::lab::register_lab_commands(app);
  register_lab_lambda_commands(app);  // under `lab`
  dr::drill::register_drill_report_commands(app);
  register_controller_commands(app);
  register_drill_commands(app);
  register_aws_commands(app);
}

}  // namespace dr::cli
