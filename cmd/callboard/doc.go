// Command callboard is the live-call dashboard server.
//
//	callboard [serve] [--config FILE]   run against the PBX nodes in the config
//	callboard demo [--listen ADDR]      run against a built-in simulated FreeSWITCH
//	callboard user add NAME --role ROLE  add a user (password on stdin)
//	callboard version
package main
