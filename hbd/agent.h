/*
 * agent: runs resource agents, fence programs and other helpers as child
 * processes: fork/exec with a clean environment, output captured through
 * a non-blocking pipe, a timeout that escalates SIGTERM -> SIGKILL to the
 * whole process group, and the exit status delivered by callback when the
 * event loop reaps the child. Never system(), never a blocking wait.
 */
#ifndef HBD_AGENT_H
#define HBD_AGENT_H

#include <sys/types.h>
#include <stdint.h>

#include "event.h"
#include "util.h"

#define AGENT_OUT_MAX	8192
#define AGENT_KILL_GRACE_MS	2000

struct agent_run;
typedef void (*agent_done_cb)(struct agent_run *, void *);

struct agent_run {
	pid_t		 pid;		/* 0: not running */
	int		 outfd;
	struct ev_io	 io;
	struct ev_timer	 timer;
	struct buf	 out;		/* stdout+stderr, capped */
	const char	*errfile;	/* if set, stderr is appended there
					 * instead (out holds stdout only) */
	int		 status;	/* waitpid status */
	int		 timed_out;
	int		 killed;
	int64_t		 started;	/* mono ms */
	int64_t		 elapsed;	/* ms, when done */
	char		 label[160];
	agent_done_cb	 cb;
	void		*arg;
};

void	agent_init(struct agent_run *);
/*
 * Start argv[0] with argv and envp (both NULL-terminated). stdin is
 * /dev/null; stdin_data, if given, is written to a pipe instead (fence
 * agents read "action=off" lines there). Returns 0 or -1.
 */
int	agent_spawn(struct agent_run *, char *const argv[], char *const envp[],
	    const char *stdin_data, uint32_t timeout_ms, const char *label,
	    agent_done_cb, void *);
void	agent_cancel(struct agent_run *);
int	agent_running(const struct agent_run *);
/* -1 when it timed out or died by a signal, else the exit code */
int	agent_exit_code(const struct agent_run *);
void	agent_describe(const struct agent_run *, char *, size_t);

#endif
