// Reads every order back from a MariaDB server after recovery (the new primary), for the checker.
#pragma once

#include <expected>
#include <string>

#include "db/connection.h"
#include "drill/readback_set.h"

namespace dr::drill {

// `options.database` names the app's database (its `orders` table). One SELECT: the whole table
// in one consistent read.
std::expected<ReadBack, std::string> read_back_orders(const db::ConnectOptions& options);

// `SELECT @@read_only` on one server (no database needed). A server that does not answer gives
// read_only == nullopt and the error: it is reported, never counted as writable.
ServerMode read_server_mode(const std::string& name, const std::string& address,
                            db::ConnectOptions options);

}  // namespace dr::drill
