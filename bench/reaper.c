/*
 * bench-reaper: PID 1 of a heartbeat node's PID namespace (LAB.md §12).
 * Reaps every orphan at once (heartbeat forks a lot and daemonizes; `sleep`
 * as PID 1 would leave zombies) and does nothing else.  It ends with the
 * namespace: SIGKILL from the host, the node's cgroup.kill, or heartbeat's
 * own `reboot -nf`, which in a PID namespace only ends that namespace.
 */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <sys/wait.h>

static void
on_chld(int sig)
{
	(void)sig;
}

int
main(void)
{
	struct sigaction sa;
	sigset_t block, old;

	sa.sa_handler = on_chld;
	sa.sa_flags = SA_NOCLDSTOP;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &old);
	for (;;) {
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		sigsuspend(&old);	/* returns after SIGCHLD */
	}
}
