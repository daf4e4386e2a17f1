/*
 * agent: child processes. The child gets its own session (so a timeout
 * can kill everything it started), default signal dispositions, the
 * scheduling policy reset (hbd may run SCHED_RR; agents must not), no
 * descriptors but its standard streams, and only the environment hbd
 * builds for it. Completion is the reaped exit status, not EOF on the
 * pipe: an agent that leaves a daemon holding its stdout still completes.
 */
#include "config.h"

#include <sys/resource.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent.h"
#include "log.h"

void
agent_init(struct agent_run *r)
{
	memset(r, 0, sizeof(*r));
	r->outfd = -1;
	buf_init(&r->out);
}

int
agent_running(const struct agent_run *r)
{
	return r->pid > 0;
}

int
agent_exit_code(const struct agent_run *r)
{
	if (r->timed_out || !WIFEXITED(r->status))
		return -1;
	return WEXITSTATUS(r->status);
}

void
agent_describe(const struct agent_run *r, char *out, size_t len)
{
	if (r->timed_out)
		snprintf(out, len, "timed out after %lld ms",
		    (long long)r->elapsed);
	else if (WIFSIGNALED(r->status))
		snprintf(out, len, "killed by signal %d", WTERMSIG(r->status));
	else
		snprintf(out, len, "exit code %d", WEXITSTATUS(r->status));
}

static void
drain(struct agent_run *r)
{
	char	 b[2048];
	ssize_t	 n;

	if (r->outfd == -1)
		return;
	for (;;) {
		n = read(r->outfd, b, sizeof(b));
		if (n <= 0)
			break;
		if (r->out.len < AGENT_OUT_MAX)
			buf_add(&r->out, b, r->out.len + (size_t)n >
			    AGENT_OUT_MAX ? AGENT_OUT_MAX - r->out.len :
			    (size_t)n);
	}
}

static void
close_out(struct agent_run *r)
{
	ev_io_stop(&r->io);
	if (r->outfd != -1)
		close(r->outfd);
	r->outfd = -1;
}

static void
on_output(struct ev_io *io, int events, void *arg)
{
	struct agent_run	*r = arg;
	char			 b[2048];
	ssize_t			 n;

	n = read(r->outfd, b, sizeof(b));
	if (n > 0) {
		if (r->out.len < AGENT_OUT_MAX)
			buf_add(&r->out, b, r->out.len + (size_t)n >
			    AGENT_OUT_MAX ? AGENT_OUT_MAX - r->out.len :
			    (size_t)n);
		return;
	}
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	close_out(r);		/* EOF: the child may still run */
}

static void
log_output(struct agent_run *r)
{
	char	*line, *save = NULL;

	if (r->out.len == 0)
		return;
	for (line = strtok_r(r->out.data, "\n", &save); line;
	    line = strtok_r(NULL, "\n", &save))
		log_info("%s: %s", r->label, line);
	/* strtok_r split the buffer; restore the newlines for callers */
	for (size_t i = 0; i < r->out.len; i++)
		if (r->out.data[i] == '\0')
			r->out.data[i] = '\n';
}

static void
on_exit_status(pid_t pid, int status, void *arg)
{
	struct agent_run	*r = arg;
	agent_done_cb		 cb = r->cb;

	r->status = status;
	r->elapsed = mono_ms() - r->started;
	r->pid = 0;
	ev_timer_del(&r->timer);
	drain(r);
	close_out(r);
	log_output(r);
	if (cb)
		cb(r, r->arg);
}

static void
on_timeout(struct ev_timer *t, void *arg)
{
	struct agent_run	*r = arg;

	if (r->pid <= 0)
		return;
	if (!r->killed) {
		log_warnx("%s: timed out after %lld ms; sending SIGTERM",
		    r->label, (long long)(mono_ms() - r->started));
		r->timed_out = 1;
		r->killed = 1;
		kill(-r->pid, SIGTERM);
		kill(r->pid, SIGTERM);
		ev_timer_add(&r->timer, AGENT_KILL_GRACE_MS);
		return;
	}
	log_warnx("%s: still running; sending SIGKILL", r->label);
	kill(-r->pid, SIGKILL);
	kill(r->pid, SIGKILL);
	ev_timer_add(&r->timer, AGENT_KILL_GRACE_MS);
}

static void
child(char *const argv[], char *const envp[], int outw, int inr,
    const char *errfile)
{
	struct sched_param	 sp = { 0 };
	int			 fd, devnull;

	ev_child_prepare();
	setsid();
	sched_setscheduler(0, SCHED_OTHER, &sp);
	setpriority(PRIO_PROCESS, 0, 0);
	devnull = open("/dev/null", O_RDWR);
	dup2(inr != -1 ? inr : devnull, 0);
	dup2(outw, 1);
	if (errfile != NULL) {
		/* the child's own open: the event loop never touches it */
		if ((fd = open(errfile, O_WRONLY | O_APPEND | O_CREAT,
		    0640)) == -1)
			fd = devnull;
		dup2(fd, 2);
	} else
		dup2(outw, 2);
	for (fd = 3; fd < 1024; fd++)
		close(fd);
	execve(argv[0], argv, envp);
	fprintf(stderr, "cannot execute %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

int
agent_spawn(struct agent_run *r, char *const argv[], char *const envp[],
    const char *stdin_data, uint32_t timeout_ms, const char *label,
    agent_done_cb cb, void *arg)
{
	int	 out[2], in[2] = { -1, -1 };
	pid_t	 pid;

	if (r->pid > 0)
		return -1;
	buf_reset(&r->out);
	r->status = 0;
	r->timed_out = r->killed = 0;
	hbd_strlcpy(r->label, label, sizeof(r->label));
	if (pipe2(out, O_CLOEXEC) == -1) {
		log_warn("%s: pipe", label);
		return -1;
	}
	if (stdin_data && pipe2(in, O_CLOEXEC) == -1) {
		log_warn("%s: pipe", label);
		close(out[0]);
		close(out[1]);
		return -1;
	}
	if ((pid = fork()) == -1) {
		log_warn("%s: fork", label);
		close(out[0]);
		close(out[1]);
		if (in[0] != -1) {
			close(in[0]);
			close(in[1]);
		}
		return -1;
	}
	if (pid == 0)
		child(argv, envp, out[1], in[0], r->errfile);
	close(out[1]);
	if (in[0] != -1) {
		size_t	 n = strlen(stdin_data);

		close(in[0]);
		/* a pipe holds 64 KiB: these few lines never block */
		if (n > 0 && write(in[1], stdin_data, n) == -1)
			log_warn("%s: writing its input", label);
		close(in[1]);
	}
	set_nonblock(out[0]);
	r->outfd = out[0];
	r->pid = pid;
	r->started = mono_ms();
	r->cb = cb;
	r->arg = arg;
	ev_io_init(&r->io, r->outfd, r->label, on_output, r);
	ev_io_start(&r->io, EV_READ);
	ev_timer_init(&r->timer, r->label, on_timeout, r);
	ev_timer_add(&r->timer, timeout_ms);
	ev_child_watch(pid, on_exit_status, r);
	log_debug("%s: started (pid %d)", label, (int)pid);
	return 0;
}

/* Forget a running agent (hbd is exiting): kill it and do not report. */
void
agent_cancel(struct agent_run *r)
{
	if (r->pid > 0) {
		kill(-r->pid, SIGKILL);
		kill(r->pid, SIGKILL);
		ev_child_forget(r->pid);
		r->pid = 0;
	}
	ev_timer_del(&r->timer);
	close_out(r);
}
