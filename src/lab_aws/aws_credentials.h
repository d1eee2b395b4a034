// The lab's AWS keys: what the lab's AWS endpoint accepts signatures from. <lab
// dir>/aws-credentials holds an access key id and a secret, generated from the kernel's CSPRNG on
// first use and created mode 0600 from the first byte (like control-token); a file that another
// user owns or others may read is refused, and so is a lab directory another user owns or anyone
// may write to. Whoever can read the lab's files may drive the lab through it; `drctl lab env`
// prints them.
#pragma once

#include <filesystem>
#include <string>

#include "aws/client.h"
#include "aws/credentials.h"
#include "lab/error.h"
#include "lab/lab_state.h"

namespace dr::lab_aws {

std::filesystem::path aws_credentials_file(const std::filesystem::path& lab_dir);

// The endpoint's side: reads the keys, or creates them when there are none. Safe when several
// processes race: the first file written wins and every one of them reads that one.
lab::Result<aws::Credentials> load_or_create_aws_credentials(const std::filesystem::path& lab_dir);

// The clients' side (drctl lab env, tests): the keys, or why there are none.
lab::Result<aws::Credentials> read_aws_credentials(const std::filesystem::path& lab_dir);

// An AWS client of the lab's AWS endpoint (state.json's URL) in `region`, signing with `keys`.
aws::ClientConfig client_config(const lab::LabState& state, const aws::Credentials& keys,
                                std::string region);

}  // namespace dr::lab_aws
