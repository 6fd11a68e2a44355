/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * What the plexus CLI's command files share with plexus.c: the resolved
 * paths, the global options, a quiet reload of a running daemon and the
 * command entry points (each takes argv[0] = the command's name).
 */
#ifndef PX_CLI_H
#define PX_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

extern const char *program; /* our name, for messages */
extern char *opt_confdir;   /* -c as given, or NULL */
extern char *opt_netname;   /* -n as given (or $NETNAME), or NULL */
extern char *cli_confbase;  /* resolved configuration directory */
extern bool cli_force;      /* --force */
extern bool cli_tty;        /* stdin and stdout are terminals and no -b */
extern bool cli_in_shell;   /* commands come from the interactive shell */

/* If a daemon is running, ask it to re-read its configuration and wait for
 * the answer; silent when none runs (as tinc's CLI is). */
void cli_reload_quietly(void);
/* Switch to another network (interactive `network NETNAME`): recompute
 * the configuration directory and pid file. -1 if the name is invalid. */
int cli_switch_network(const char *netname);
/* Does the running daemon know node `name`? 1 yes, 0 no, -1 no daemon. */
int cli_daemon_knows_node(const char *name);
/* The port in the running daemon's pid file (newly allocated), or NULL. */
char *cli_daemon_port(void);
/* Run plexusd -K[BITS] on our directory (with -o OPTION if given). */
int cli_run_keygen(const char *bits, const char *option);
/* The plexusd that belongs to this CLI (malloc'd path). */
char *cli_plexusd_path(void);
/* CONF_* flags of a variable a plugin registers (plexusd --dump-variables),
 * 0 if none does; its type ("string", "bool", "int") in `type` if given. */
int cli_plugin_var_flags(const char *var, char *type, size_t typelen);
/* Run one command line; -1 if the command is unknown. */
int cli_dispatch(int argc, char **argv);
/* The i-th command's name, NULL past the last (shell completion). */
const char *cli_command_name(size_t i);
/* One line for the shell (malloc'd, NULL at EOF); prompt shown on a
 * terminal (cli_readline.c). */
char *cli_read_line(const char *prompt);

/* Helpers (cli_config.c). */
char *cli_path(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *cli_main_conf(void);       /* plexus.conf if present, else tinc.conf */
char *cli_my_name(bool verbose); /* Name from the main file, $VAR/$HOST expanded */
bool cli_valid_name(const char *name);
/* Replace path by a temporary file with `text` (same mode as the old file,
 * or `mode` if new), atomically. */
int cli_write_file_atomic(const char *path, const char *text, size_t len, unsigned mode);
char *cli_read_all(FILE *in, size_t *len); /* whole stream; NULL on error */
/* Split a trimmed "Var = value" line in place; returns Var, *value its value
 * without trailing blanks. */
char *cli_split_var(char *line, char **value);

/* Commands. */
int cmd_config(int argc, char **argv); /* config, get, set, add, del */
int cmd_export(int argc, char **argv);
int cmd_export_all(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_exchange(int argc, char **argv);
int cmd_exchange_all(int argc, char **argv);
int cmd_sign(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_generate_ed25519_keys(int argc, char **argv);
int cmd_generate_rsa_keys(int argc, char **argv);
int cmd_fsck(int argc, char **argv);
int cmd_edit(int argc, char **argv);
int cmd_network(int argc, char **argv);
int cmd_invite(int argc, char **argv);
int cmd_join(int argc, char **argv);
int cmd_top(int argc, char **argv);
int cmd_pcap(int argc, char **argv);
int cmd_connect(int argc, char **argv);
int cli_dump_invitations(void); /* dump invitations (no daemon needed) */
int cli_shell(void);

#endif
