/* xwatch: start a program and time its screen from outside (DESIGN.md §8).
 *
 *   xwatch [-v] [-d DIR] [-f FILE.ppm] [-s STILL_MS] [-q QUIET_MS] [-t TIMEOUT_MS]
 *          [-p POLL_MS] [-o LOG] -- PROGRAM ARGS...
 *
 * Grabs the X root window (MIT-SHM, else XGetImage) once, notes the time,
 * forks and execs PROGRAM in a new session, then grabs the root window again
 * every POLL_MS (5) and compares it with the previous grab.  The first full
 * frame is the last change before the screen stays still for STILL_MS (800).
 * A program may show an empty window, stay still longer than that while it
 * loads, and only then draw its content (Chromium does, under load): so the
 * watch goes on until the screen has been still for QUIET_MS (default
 * STILL_MS; tests/bench/run uses 3000), and reports the last change before
 * that, full_ms.  rule_ms is the last change before the first still spell of
 * STILL_MS, and gaps counts the still spells of STILL_MS that a later change
 * broke (0: both rules agree).  poll_ms is the mean and max_poll_ms the
 * longest time between two grabs (a loaded machine can hold the polling up).
 * When that is known it prints one line:
 *
 *   READY pid=PID first_ms=F full_ms=T rule_ms=R gaps=G changes=N polls=P poll_ms=I max_poll_ms=M
 *   (or TIMEOUT ... when the screen never changed / never became still)
 *
 * and stops polling.  The program keeps running so that the caller can read
 * its memory and CPU from /proc (xwatch's descendants are exactly the
 * processes the program started: xwatch is a child subreaper, so processes
 * that double-fork away, such as Chromium's crash handler, stay below it).
 * On a line "quit" or end of file on standard input, on SIGTERM/SIGINT/SIGHUP,
 * or when the program's whole tree has exited, xwatch ends the tree
 * (SIGTERM to the session's process group and to every descendant, SIGKILL
 * after 3 s), reaps it and exits.  PROGRAM's stdin is /dev/null; its
 * stdout/stderr go to LOG (default /dev/null).
 *
 * -v notes each change on standard error; -d DIR also writes each changed
 * frame as DIR/change-NN-MSms.ppm (for looking at what changed; the writing
 * slows the polling, so not for measuring).  -f FILE writes the frame the
 * screen settled on (after the READY line's timing is taken).
 *
 * -n: start PROGRAM without watching the screen: print "STARTED pid=PID" at
 * once and hold it as above (for programs whose screen never stands still,
 * such as a film playing, whose CPU the caller reads from /proc).
 *
 * Region mode, with no PROGRAM:  xwatch -R X,Y,W,H [-p POLL_MS]
 * watches one rectangle of the root window and answers commands on standard
 * input, one a line; times are CLOCK_MONOTONIC in ms (Python's
 * time.monotonic() * 1000), so the caller can time an action it takes
 * itself, such as a line written to a program's script input:
 *
 *   arm [TIMEOUT_MS]  grabs the rectangle as the reference, prints
 *                     "ARMED t=T", then grabs it every POLL_MS (default 3)
 *                     until it shows a picture and prints
 *                     "PICTURE t=T before=B polls=N frac=F" (T: just after the
 *                     grab that saw it; B: just before that grab) or, after
 *                     TIMEOUT_MS (default 10000), "NOPICTURE t=T polls=N frac=F".
 *                     A picture: at least half of the sampled pixels (every
 *                     4th in x and y) are strong colours (their channels
 *                     spread by more than 96, as in the colour bars of the
 *                     harness's test film) and differ from the reference (by
 *                     more than 48, summed over the three channels).  F is
 *                     that fraction (its maximum for NOPICTURE).  So the
 *                     screen before, the black a player shows before its
 *                     first frame, a grey or near-black poster, white or
 *                     pale pages and text are no picture; a frame of the
 *                     test film is.
 *   count MS          grabs every POLL_MS for MS and prints
 *                     "COUNT changes=C polls=N ms=M": how often the rectangle
 *                     differed from the grab before (a film plays: ~25/s).
 *   save FILE         writes the rectangle as it is now as a binary PPM.
 *   quit              (or end of input) exits.
 *
 * Built by tests/bench/run with: cc -O2 -o xwatch xwatch.c -lX11 -lXext
 */
#define _GNU_SOURCE
#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <X11/extensions/XShm.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t g_stop;
static pid_t g_child = -1;

/* Writes a 32-bit BGRX frame as a binary PPM (for -d). */
static void dump_frame(const char *dir, int n, double ms, const unsigned char *px, int w, int h)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/change-%02d-%06.0fms.ppm", dir, n, ms);
	FILE *f = fopen(path, "wb");
	if (!f)
		return;
	fprintf(f, "P6\n%d %d\n255\n", w, h);
	unsigned char *row = malloc((size_t)w * 3);
	for (int y = 0; row && y < h; y++) {
		const unsigned char *p = px + (size_t)y * w * 4;
		for (int x = 0; x < w; x++) {
			row[x * 3] = p[x * 4 + 2];
			row[x * 3 + 1] = p[x * 4 + 1];
			row[x * 3 + 2] = p[x * 4];
		}
		fwrite(row, 3, (size_t)w, f);
	}
	free(row);
	fclose(f);
}

static void on_signal(int sig) { (void)sig; g_stop = 1; }

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void sleep_ms(double ms)
{
	struct timespec ts = { (time_t)(ms / 1000), (long)((ms - (time_t)(ms / 1000) * 1000) * 1e6) };
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR && !g_stop)
		;
}

/* ---- the screen ------------------------------------------------------- */

struct grabber {
	Display *dpy;
	Window root;
	int w, h;
	XImage *img;
	XShmSegmentInfo shm;
	int use_shm;
	size_t bytes;
};

static int grabber_open(struct grabber *g)
{
	memset(g, 0, sizeof *g);
	g->dpy = XOpenDisplay(NULL);
	if (!g->dpy) {
		fprintf(stderr, "xwatch: cannot open display %s\n", getenv("DISPLAY") ? getenv("DISPLAY") : "(unset)");
		return -1;
	}
	int scr = DefaultScreen(g->dpy);
	g->root = RootWindow(g->dpy, scr);
	g->w = DisplayWidth(g->dpy, scr);
	g->h = DisplayHeight(g->dpy, scr);
	if (XShmQueryExtension(g->dpy)) {
		g->img = XShmCreateImage(g->dpy, DefaultVisual(g->dpy, scr), DefaultDepth(g->dpy, scr),
		                         ZPixmap, NULL, &g->shm, g->w, g->h);
		if (g->img) {
			g->shm.shmid = shmget(IPC_PRIVATE, (size_t)g->img->bytes_per_line * g->h, IPC_CREAT | 0600);
			if (g->shm.shmid >= 0) {
				g->shm.shmaddr = g->img->data = shmat(g->shm.shmid, NULL, 0);
				g->shm.readOnly = False;
				if (g->shm.shmaddr != (void *)-1 && XShmAttach(g->dpy, &g->shm)) {
					XSync(g->dpy, False);
					shmctl(g->shm.shmid, IPC_RMID, NULL); /* freed when both detach */
					g->use_shm = 1;
				}
			}
		}
	}
	if (!g->use_shm)
		fprintf(stderr, "xwatch: MIT-SHM not available, using XGetImage\n");
	return 0;
}

/* Grabs the root window; returns its pixels (g->bytes long, valid until the
 * next grab) or NULL.  With MIT-SHM the X server writes straight into our
 * shared segment, so a poll costs the server's copy and one memcmp here. */
static XImage *g_plain;

static const unsigned char *grabber_grab(struct grabber *g)
{
	if (g->use_shm) {
		if (!XShmGetImage(g->dpy, g->root, g->img, 0, 0, AllPlanes))
			return NULL;
		return (const unsigned char *)g->img->data;
	}
	if (g_plain)
		XDestroyImage(g_plain);
	g_plain = XGetImage(g->dpy, g->root, 0, 0, g->w, g->h, AllPlanes, ZPixmap);
	if (!g_plain || (size_t)g_plain->bytes_per_line * g_plain->height < g->bytes)
		return NULL;
	return (const unsigned char *)g_plain->data;
}

/* ---- the process tree -------------------------------------------------- */

/* Reads the parent pid of pid from /proc/PID/stat; -1 when gone. */
static pid_t ppid_of(pid_t pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	char *p = strrchr(buf, ')'); /* the name may contain spaces and parentheses */
	if (!p)
		return -1;
	char state;
	int pp;
	if (sscanf(p + 1, " %c %d", &state, &pp) != 2)
		return -1;
	return pp;
}

/* Sends sig to every descendant of this process; returns how many there were. */
static int signal_descendants(int sig)
{
	enum { MAXP = 65536 };
	static pid_t pids[MAXP], ppids[MAXP];
	int n = 0;
	DIR *d = opendir("/proc");
	if (!d)
		return 0;
	struct dirent *e;
	while ((e = readdir(d)) && n < MAXP) {
		char *end;
		long v = strtol(e->d_name, &end, 10);
		if (*end || v <= 0)
			continue;
		pid_t pp = ppid_of((pid_t)v);
		if (pp < 0)
			continue;
		pids[n] = (pid_t)v;
		ppids[n] = pp;
		n++;
	}
	closedir(d);
	/* mark descendants of getpid() by repeated passes (the tree is small) */
	static char mark[MAXP];
	memset(mark, 0, (size_t)n);
	pid_t self = getpid();
	int changed = 1, count = 0;
	while (changed) {
		changed = 0;
		for (int i = 0; i < n; i++) {
			if (mark[i])
				continue;
			int under = ppids[i] == self;
			for (int j = 0; !under && j < n; j++)
				under = mark[j] && pids[j] == ppids[i];
			if (under) {
				mark[i] = 1;
				changed = 1;
				count++;
			}
		}
	}
	for (int i = 0; i < n; i++)
		if (mark[i])
			kill(pids[i], sig);
	return count;
}

static void reap(void)
{
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

static void end_tree(void)
{
	if (g_child > 0)
		kill(-g_child, SIGTERM); /* the program's session = its process group */
	signal_descendants(SIGTERM);
	double until = now_ms() + 3000;
	for (;;) {
		reap();
		if (signal_descendants(0) == 0)
			return;
		if (now_ms() > until)
			break;
		sleep_ms(20);
	}
	if (g_child > 0)
		kill(-g_child, SIGKILL);
	signal_descendants(SIGKILL);
	until = now_ms() + 3000;
	while (signal_descendants(0) > 0 && now_ms() < until) {
		reap();
		sleep_ms(20);
	}
	reap();
}

/* ---- region mode -------------------------------------------------------- */

struct region {
	Display *dpy;
	Window root;
	int x, y, w, h;
	XImage *img;
	XShmSegmentInfo shm;
	int use_shm;
	XImage *plain;
};

static int region_open(struct region *r, const char *spec)
{
	memset(r, 0, sizeof *r);
	if (sscanf(spec, "%d,%d,%d,%d", &r->x, &r->y, &r->w, &r->h) != 4 || r->w <= 0 || r->h <= 0) {
		fprintf(stderr, "xwatch: -R wants X,Y,W,H, not %s\n", spec);
		return -1;
	}
	r->dpy = XOpenDisplay(NULL);
	if (!r->dpy) {
		fprintf(stderr, "xwatch: cannot open display %s\n", getenv("DISPLAY") ? getenv("DISPLAY") : "(unset)");
		return -1;
	}
	int scr = DefaultScreen(r->dpy);
	r->root = RootWindow(r->dpy, scr);
	if (r->x < 0 || r->y < 0 || r->x + r->w > DisplayWidth(r->dpy, scr) ||
	    r->y + r->h > DisplayHeight(r->dpy, scr)) {
		fprintf(stderr, "xwatch: the rectangle %s is not inside the screen\n", spec);
		return -1;
	}
	if (XShmQueryExtension(r->dpy)) {
		r->img = XShmCreateImage(r->dpy, DefaultVisual(r->dpy, scr), DefaultDepth(r->dpy, scr),
		                         ZPixmap, NULL, &r->shm, r->w, r->h);
		if (r->img) {
			r->shm.shmid = shmget(IPC_PRIVATE, (size_t)r->img->bytes_per_line * r->h, IPC_CREAT | 0600);
			if (r->shm.shmid >= 0) {
				r->shm.shmaddr = r->img->data = shmat(r->shm.shmid, NULL, 0);
				r->shm.readOnly = False;
				if (r->shm.shmaddr != (void *)-1 && XShmAttach(r->dpy, &r->shm)) {
					XSync(r->dpy, False);
					shmctl(r->shm.shmid, IPC_RMID, NULL);
					r->use_shm = 1;
				}
			}
		}
	}
	return 0;
}

/* The rectangle's pixels, 32-bit BGRX rows of r->w pixels, or NULL. */
static const unsigned char *region_grab(struct region *r)
{
	if (r->use_shm)
		return XShmGetImage(r->dpy, r->root, r->img, r->x, r->y, AllPlanes)
		               ? (const unsigned char *)r->img->data : NULL;
	if (r->plain)
		XDestroyImage(r->plain);
	r->plain = XGetImage(r->dpy, r->root, r->x, r->y, r->w, r->h, AllPlanes, ZPixmap);
	if (!r->plain || r->plain->bytes_per_line != r->w * 4)
		return NULL;
	return (const unsigned char *)r->plain->data;
}

/* The fraction of sampled pixels that are "picture": a strong colour, and
 * different from the reference. */
static double picture_fraction(const unsigned char *cur, const unsigned char *ref, int w, int h)
{
	long n = 0, hit = 0;
	for (int y = 0; y < h; y += 4) {
		const unsigned char *c = cur + (size_t)y * w * 4, *f = ref + (size_t)y * w * 4;
		for (int x = 0; x < w; x += 4) {
			const unsigned char *p = c + x * 4, *q = f + x * 4;
			int d = abs(p[0] - q[0]) + abs(p[1] - q[1]) + abs(p[2] - q[2]);
			int hi = p[0] > p[1] ? p[0] : p[1], lo = p[0] < p[1] ? p[0] : p[1];
			hi = p[2] > hi ? p[2] : hi;
			lo = p[2] < lo ? p[2] : lo;
			n++;
			if (hi - lo > 96 && d > 48)
				hit++;
		}
	}
	return n ? (double)hit / n : 0;
}

static void write_ppm(const char *path, const unsigned char *px, int w, int h)
{
	FILE *f = fopen(path, "wb");
	if (!f) {
		fprintf(stderr, "xwatch: cannot write %s\n", path);
		return;
	}
	fprintf(f, "P6\n%d %d\n255\n", w, h);
	for (size_t i = 0; i < (size_t)w * h; i++) {
		unsigned char rgb[3] = { px[i * 4 + 2], px[i * 4 + 1], px[i * 4] };
		fwrite(rgb, 1, 3, f);
	}
	fclose(f);
}

static int region_main(const char *spec, double poll_ms)
{
	struct region r;
	if (region_open(&r, spec) != 0)
		return 1;
	size_t bytes = (size_t)r.w * r.h * 4;
	unsigned char *ref = malloc(bytes), *prev = malloc(bytes);
	if (!ref || !prev)
		return 1;
	printf("REGION x=%d y=%d w=%d h=%d shm=%d\n", r.x, r.y, r.w, r.h, r.use_shm);
	fflush(stdout);
	char line[4200];
	while (!g_stop && fgets(line, sizeof line, stdin)) {
		line[strcspn(line, "\r\n")] = 0;
		const unsigned char *cur;
		if (!strncmp(line, "arm", 3)) {
			double timeout = 10000;
			if (line[3] == ' ')
				timeout = atof(line + 4);
			if (!(cur = region_grab(&r))) {
				printf("ERROR grab failed\n");
				fflush(stdout);
				continue;
			}
			memcpy(ref, cur, bytes);
			double t0 = now_ms(), best = 0;
			printf("ARMED t=%.3f\n", t0);
			fflush(stdout);
			int polls = 0, found = 0;
			for (;;) {
				sleep_ms(poll_ms);
				double before = now_ms();
				if (g_stop || !(cur = region_grab(&r)))
					break;
				double after = now_ms();
				polls++;
				double frac = picture_fraction(cur, ref, r.w, r.h);
				if (frac > best)
					best = frac;
				if (frac >= 0.5) {
					printf("PICTURE t=%.3f before=%.3f polls=%d frac=%.3f\n", after, before, polls, frac);
					found = 1;
					break;
				}
				if (after - t0 >= timeout)
					break;
			}
			if (!found)
				printf("NOPICTURE t=%.3f polls=%d frac=%.3f\n", now_ms(), polls, best);
			fflush(stdout);
		} else if (!strncmp(line, "count ", 6)) {
			double ms = atof(line + 6), t0 = now_ms(), t = t0;
			int polls = 0, changes = 0;
			if ((cur = region_grab(&r))) {
				memcpy(prev, cur, bytes);
				while (!g_stop && t - t0 < ms) {
					sleep_ms(poll_ms);
					if (!(cur = region_grab(&r)))
						break;
					t = now_ms();
					polls++;
					if (memcmp(cur, prev, bytes) != 0) {
						changes++;
						memcpy(prev, cur, bytes);
					}
				}
			}
			printf("COUNT changes=%d polls=%d ms=%.1f\n", changes, polls, t - t0);
			fflush(stdout);
		} else if (!strncmp(line, "save ", 5)) {
			if ((cur = region_grab(&r)))
				write_ppm(line + 5, cur, r.w, r.h);
			printf("SAVED\n");
			fflush(stdout);
		} else if (!strcmp(line, "quit")) {
			break;
		} else if (line[0]) {
			printf("ERROR unknown command %s\n", line);
			fflush(stdout);
		}
	}
	if (r.use_shm) {
		XShmDetach(r.dpy, &r.shm);
		shmdt(r.shm.shmaddr);
	}
	XCloseDisplay(r.dpy);
	free(ref);
	free(prev);
	return 0;
}

/* ---- main -------------------------------------------------------------- */

int main(int argc, char **argv)
{
	double still_ms = 800, quiet_ms = -1, timeout_ms = 30000, poll_ms = -1;
	const char *log = "/dev/null", *dump_dir = NULL, *final_frame = NULL, *region = NULL;
	int opt, verbose = 0, no_watch = 0;
	while ((opt = getopt(argc, argv, "+s:q:t:p:o:vd:f:nR:")) != -1) {
		switch (opt) {
		case 'n': no_watch = 1; break;
		case 'R': region = optarg; break;
		case 'f': final_frame = optarg; break;
		case 'd': dump_dir = optarg; break;
		case 'v': verbose = 1; break;
		case 's': still_ms = atof(optarg); break;
		case 'q': quiet_ms = atof(optarg); break;
		case 't': timeout_ms = atof(optarg); break;
		case 'p': poll_ms = atof(optarg); break;
		case 'o': log = optarg; break;
		default:
			fprintf(stderr, "usage: xwatch [-v] [-n] [-d DIR] [-f FILE.ppm] [-s STILL_MS] [-q QUIET_MS] [-t TIMEOUT_MS] [-p POLL_MS] [-o LOG] -- PROGRAM ARGS...\n"
			                "       xwatch -R X,Y,W,H [-p POLL_MS]   (commands on standard input)\n");
			return 2;
		}
	}
	if (region) {
		struct sigaction sr;
		memset(&sr, 0, sizeof sr);
		sr.sa_handler = on_signal;
		sigaction(SIGTERM, &sr, NULL);
		sigaction(SIGINT, &sr, NULL);
		signal(SIGPIPE, SIG_IGN);
		setvbuf(stdout, NULL, _IOLBF, 0);
		return region_main(region, poll_ms > 0 ? poll_ms : 3);
	}
	if (poll_ms <= 0)
		poll_ms = 5;
	if (quiet_ms < still_ms)
		quiet_ms = still_ms;
	if (optind >= argc) {
		fprintf(stderr, "xwatch: no program given\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0)
		perror("xwatch: PR_SET_CHILD_SUBREAPER");

	struct grabber g;
	if (grabber_open(&g) != 0)
		return 1;
	g.bytes = (size_t)g.w * g.h * 4;
	unsigned char *prev = malloc(g.bytes);
	const unsigned char *cur;
	if (!prev)
		return 1;
	if (!(cur = grabber_grab(&g))) {
		fprintf(stderr, "xwatch: cannot grab the root window\n");
		return 1;
	}
	memcpy(prev, cur, g.bytes);

	double t0 = now_ms();
	pid_t pid = fork();
	if (pid < 0) {
		perror("xwatch: fork");
		return 1;
	}
	if (pid == 0) {
		setsid();
		int in = open("/dev/null", O_RDONLY);
		int out = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (in >= 0)
			dup2(in, 0);
		if (out >= 0) {
			dup2(out, 1);
			dup2(out, 2);
		}
		signal(SIGPIPE, SIG_DFL);
		execvp(argv[optind], argv + optind);
		_exit(127);
	}
	g_child = pid;
	if (no_watch) {
		printf("STARTED pid=%d\n", (int)pid);
		fflush(stdout);
		if (g.use_shm) { /* nothing more to grab: let go of the display */
			XShmDetach(g.dpy, &g.shm);
			shmdt(g.shm.shmaddr);
		}
		XCloseDisplay(g.dpy);
		free(prev);
		goto hold;
	}

	double first = -1, last = -1, rule = -1, t = t0, max_poll = 0;
	int changes = 0, polls = 0, gaps = 0, still_seen = 0, child_exit = -1;
	const char *result = "TIMEOUT";
	while (!g_stop) {
		sleep_ms(poll_ms);
		if (!(cur = grabber_grab(&g))) {
			fprintf(stderr, "xwatch: grab failed\n");
			break;
		}
		double a = now_ms();
		polls++;
		if (a - t > max_poll)
			max_poll = a - t;
		if (memcmp(cur, prev, g.bytes) != 0) {
			/* a still spell counts only when a poll saw it, not when the
			 * polling itself was held up for that long */
			if (still_seen) {
				gaps++;
				if (verbose)
					fprintf(stderr, "xwatch: still for %.0f ms after %.1f ms, then changed\n", a - last, last - t0);
			}
			still_seen = 0;
			memcpy(prev, cur, g.bytes);
			last = a;
			if (first < 0)
				first = a;
			changes++;
			if (verbose)
				fprintf(stderr, "xwatch: change %d at %.1f ms\n", changes, a - t0);
			if (dump_dir && changes <= 50)
				dump_frame(dump_dir, changes, a - t0, prev, g.w, g.h);
		} else if (last >= 0 && a - last >= still_ms) {
			still_seen = 1;
			if (rule < 0)
				rule = last;
		}
		t = a;
		if (last >= 0 && t - last >= quiet_ms) {
			result = "READY";
			break;
		}
		if (t - t0 >= timeout_ms)
			break;
		int st;
		if (child_exit < 0 && waitpid(pid, &st, WNOHANG) == pid) {
			child_exit = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
			fprintf(stderr, "xwatch: program exited with %d before its screen was still\n", child_exit);
		}
	}
	if (final_frame) {
		/* dump_frame names files by number; write the still frame by name */
		FILE *f = fopen(final_frame, "wb");
		if (f) {
			fprintf(f, "P6\n%d %d\n255\n", g.w, g.h);
			for (size_t i = 0; i < (size_t)g.w * g.h; i++) {
				unsigned char rgb[3] = { prev[i * 4 + 2], prev[i * 4 + 1], prev[i * 4] };
				fwrite(rgb, 1, 3, f);
			}
			fclose(f);
		}
	}
	if (g.use_shm) {
		XShmDetach(g.dpy, &g.shm);
		shmdt(g.shm.shmaddr);
	}
	XCloseDisplay(g.dpy);
	free(prev);

	printf("%s pid=%d first_ms=%.1f full_ms=%.1f rule_ms=%.1f gaps=%d changes=%d polls=%d poll_ms=%.1f "
	       "max_poll_ms=%.1f\n",
	       result, (int)pid, first >= 0 ? first - t0 : -1.0, last >= 0 ? last - t0 : -1.0,
	       rule >= 0 ? rule - t0 : -1.0, gaps, changes, polls, polls ? (t - t0) / polls : 0.0, max_poll);
	fflush(stdout);

	/* Hold the program until told to stop. */
hold:;
	char line[256];
	size_t len = 0;
	while (!g_stop) {
		struct pollfd pfd = { 0, POLLIN, 0 };
		int r = poll(&pfd, 1, 200);
		reap();
		if (r > 0) {
			ssize_t n = read(0, line + len, sizeof line - 1 - len);
			if (n <= 0)
				break;
			len += (size_t)n;
			line[len] = 0;
			if (strstr(line, "quit"))
				break;
			if (len >= sizeof line - 1)
				len = 0;
		}
		if (signal_descendants(0) == 0) {
			fprintf(stderr, "xwatch: the program's processes have all exited\n");
			break;
		}
	}
	end_tree();
	return 0;
}
