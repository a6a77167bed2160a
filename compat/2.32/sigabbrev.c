/* sigabbrev_np@GLIBC_2.32 and sigdescr_np@GLIBC_2.32: a signal's name
 * without "SIG" ("HUP") and its untranslated description (what strsignal
 * says in the C locale), or NULL for 0, a real-time signal or a number out
 * of range, as glibc 2.41 answers; tests/abikit.compat compares the table
 * with glibc 2.41's. */
#include <stddef.h>

#include "../compat.h"

const char *compat_sigabbrev_np(int sig);
COMPAT_SYMBOL(compat_sigabbrev_np, sigabbrev_np, "GLIBC_2.32");
const char *compat_sigdescr_np(int sig);
COMPAT_SYMBOL(compat_sigdescr_np, sigdescr_np, "GLIBC_2.32");

/* Linux x86_64 signals 1..31 (SIGIOT, SIGIO and SIGCLD are aliases; glibc
 * names them ABRT, POLL and CHLD). */
/* Arrays, not pointers: the table needs no relocation at load (and so
 * costs no written page in every process). */
static const struct {
	char abbrev[7], desc[25];
} signals[] = {
	[1] = { "HUP", "Hangup" },
	[2] = { "INT", "Interrupt" },
	[3] = { "QUIT", "Quit" },
	[4] = { "ILL", "Illegal instruction" },
	[5] = { "TRAP", "Trace/breakpoint trap" },
	[6] = { "ABRT", "Aborted" },
	[7] = { "BUS", "Bus error" },
	[8] = { "FPE", "Floating point exception" },
	[9] = { "KILL", "Killed" },
	[10] = { "USR1", "User defined signal 1" },
	[11] = { "SEGV", "Segmentation fault" },
	[12] = { "USR2", "User defined signal 2" },
	[13] = { "PIPE", "Broken pipe" },
	[14] = { "ALRM", "Alarm clock" },
	[15] = { "TERM", "Terminated" },
	[16] = { "STKFLT", "Stack fault" },
	[17] = { "CHLD", "Child exited" },
	[18] = { "CONT", "Continued" },
	[19] = { "STOP", "Stopped (signal)" },
	[20] = { "TSTP", "Stopped" },
	[21] = { "TTIN", "Stopped (tty input)" },
	[22] = { "TTOU", "Stopped (tty output)" },
	[23] = { "URG", "Urgent I/O condition" },
	[24] = { "XCPU", "CPU time limit exceeded" },
	[25] = { "XFSZ", "File size limit exceeded" },
	[26] = { "VTALRM", "Virtual timer expired" },
	[27] = { "PROF", "Profiling timer expired" },
	[28] = { "WINCH", "Window changed" },
	[29] = { "POLL", "I/O possible" },
	[30] = { "PWR", "Power failure" },
	[31] = { "SYS", "Bad system call" },
};

const char *compat_sigabbrev_np(int sig)
{
	if (sig < 0 || (size_t)sig >= sizeof signals / sizeof signals[0])
		return NULL;
	return signals[sig].abbrev[0] ? signals[sig].abbrev : NULL;
}

const char *compat_sigdescr_np(int sig)
{
	if (sig < 0 || (size_t)sig >= sizeof signals / sizeof signals[0])
		return NULL;
	return signals[sig].desc[0] ? signals[sig].desc : NULL;
}
