// What a check reports: which check, where (file, line, block address) and why.
#pragma once

#include <string>

namespace dr::infra {

struct Finding {
  std::string check;    // "CKV_AWS_96", "DR_BUDGET", "HCL_PARSE", ...
  std::string file;     // display path
  int line = 0;         // 1-based, 0 when unknown
  std::string block;    // "aws_rds_cluster.primary", "module.rds", "variable.environment"
  std::string message;  // one sentence

  std::string to_string() const {
    std::string where = file + (line > 0 ? ":" + std::to_string(line) : "");
    return where + ": " + check + (block.empty() ? "" : " " + block) + ": " + message;
  }
};

// A policy a block is exempt from, with the reason written next to it
// ("# checkov:skip=CKV_AWS_2:reason", checkov's own syntax).
struct Waiver {
  std::string check;
  std::string file;
  int line = 0;
  std::string block;
  std::string reason;
};

}  // namespace dr::infra
