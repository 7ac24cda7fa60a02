/* Exit statuses: each kind of failure has its own, documented in README.md
 * and `pktpath --help`. */
#ifndef PKTPATH_EXITCODES_H
#define PKTPATH_EXITCODES_H

enum {
	EXIT_OK = 0,
	EXIT_RUNTIME = 1,    /* failed while running (load, attach, ring buffer) */
	EXIT_USAGE = 2,      /* bad option, number or expression */
	EXIT_PRIVILEGE = 3,  /* not root / missing CAP_BPF, CAP_PERFMON */
	EXIT_KERNEL = 4,     /* kernel lacks what is needed: BTF, tracepoint */
	EXIT_NOTFOUND = 5,   /* unknown interface or network namespace */
	EXIT_BACKEND = 6,    /* the backend asked for (--backend, --wide) is not available */
	EXIT_BADFILE = 7,    /* -r: the recording cannot be read: corrupt, of another version, no run in it */
	EXIT_CUTSHORT = 8,   /* -r: the recording was cut short; printed up to its last complete record */
};

#endif
