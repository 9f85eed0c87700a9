/* deploy.h - the deployment module, loaded when a command needs it. */
#pragma once

#include "deployapi.h"

/* The module's table, loading it the first time; NULL with a "kvmlab: ..." message printed. */
const struct lab_deploy_api *cli_deploy(void);
