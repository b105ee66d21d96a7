// Package deploy holds only tests, of the deployment scripts beside them
// (deploy.sh, web.sh, accounts.sh, samconfig.sh) and of samconfig.toml:
// the scripts run against stand-in sam, aws, make and curl executables
// that record how they were called, in a copy of the scripts with a
// samconfig.toml of the test's choosing.
package deploy
