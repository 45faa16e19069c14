/* cpu_quota.c: how many CPUs' worth of time a container's CPU limit grants
 * this process.  A container limited to one CPU on a machine of 64 still
 * lets its processes run on all 64 cores (sched_getaffinity() says 64), and
 * four writers time-sharing that one CPU would take four times the memory
 * for no gain.  The limit is the cgroup's quota per period: cpu.max in
 * cgroup v2, cpu.cfs_quota_us and cpu.cfs_period_us in v1.  A limit on any
 * ancestor cgroup applies too, so the tightest one from the process's
 * cgroup up to the root counts.  Inside a container whose cgroup hierarchy
 * is not namespaced, /proc/self/cgroup names the host's path, which does
 * not exist in the container's mount: the walk up then reaches the mount's
 * root, which is the container's own cgroup. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kb-private.h"

/* The whole-number value that starts path's first line, or -1 when the
 * file is not there or the value is "max" or not a positive number; with
 * second, the number after it ("150000 100000") goes there. */
static long long read_number(const char *path, long long *second)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	char line[64];
	long long v = -1;
	if (fgets(line, sizeof line, f)) {
		char *end;
		long long n = strtoll(line, &end, 10);
		if (end != line && n > 0)
			v = n;
		if (second)
			*second = end != line ? strtoll(end, NULL, 10) : 0;
	}
	fclose(f);
	return v;
}

/* The tighter of two limits, 0 meaning none. */
static unsigned tighter(unsigned a, unsigned b)
{
	return !a ? b : !b ? a : a < b ? a : b;
}

/* CPUs granted by the files in dir (0: no limit there). */
static unsigned limit_in(const char *dir, int v2)
{
	long long quota, period = 0;
	char *path;
	if (v2) {
		/* "max 100000" or "150000 100000". */
		if (!(path = kb_strdup_printf("%s/cpu.max", dir)))
			return 0;
		quota = read_number(path, &period);
	} else {
		if (!(path = kb_strdup_printf("%s/cpu.cfs_quota_us", dir)))
			return 0;
		quota = read_number(path, NULL);
		free(path);
		if (!(path = kb_strdup_printf("%s/cpu.cfs_period_us", dir)))
			return 0;
		period = read_number(path, NULL);
	}
	free(path);
	if (quota <= 0 || period <= 0)
		return 0;
	long long cpus = (quota + period - 1) / period; /* 1.5 CPUs: two writers */
	return cpus > UINT_MAX ? UINT_MAX : (unsigned)cpus;
}

/* The tightest limit from mount/cgroup up to mount itself. */
static unsigned tightest(const char *mount, const char *cgroup, int v2)
{
	char *dir = kb_strdup_printf("%s%s", mount, cgroup);
	if (!dir)
		return 0;
	size_t root = strlen(mount);
	unsigned best = 0;
	for (;;) {
		best = tighter(best, limit_in(dir, v2));
		char *slash = strrchr(dir + root, '/');
		if (!slash)
			break;
		*slash = '\0';
	}
	free(dir);
	return best;
}

/* Whether the comma-separated controllers list names "cpu". */
static int names_cpu(const char *list, size_t len)
{
	for (const char *p = list, *end = list + len; p < end;) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		size_t n = (size_t)((comma ? comma : end) - p);
		if (n == 3 && memcmp(p, "cpu", 3) == 0)
			return 1;
		p += n + 1;
	}
	return 0;
}

unsigned kb_cpu_quota(const char *root)
{
	char *path = kb_strdup_printf("%s/proc/self/cgroup", root);
	FILE *f = path ? fopen(path, "r") : NULL;
	free(path);
	if (!f)
		return 0;
	unsigned best = 0;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	/* Lines are "id:controllers:path"; v2's is "0::path". */
	while ((len = getline(&line, &cap, f)) > 0) {
		if (line[len - 1] == '\n')
			line[--len] = '\0';
		char *c1 = strchr(line, ':');
		char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2 || c2[1] != '/')
			continue;
		const char *cgroup = strcmp(c2 + 1, "/") == 0 ? "" : c2 + 1;
		unsigned n = 0;
		if (c2 == c1 + 1) {
			char *mount = kb_strdup_printf("%s/sys/fs/cgroup", root);
			n = mount ? tightest(mount, cgroup, 1) : 0;
			free(mount);
		} else if (names_cpu(c1 + 1, (size_t)(c2 - c1 - 1))) {
			/* v1's cpu controller is mounted under its own name,
			 * or with cpuacct under both joined ("cpu,cpuacct"). */
			char *mount = kb_strdup_printf("%s/sys/fs/cgroup/%.*s", root,
			                               (int)(c2 - c1 - 1), c1 + 1);
			char *plain = kb_strdup_printf("%s/sys/fs/cgroup/cpu", root);
			n = tighter(mount ? tightest(mount, cgroup, 0) : 0,
			            plain && (!mount || strcmp(mount, plain) != 0)
			                ? tightest(plain, cgroup, 0)
			                : 0);
			free(mount);
			free(plain);
		}
		best = tighter(best, n);
	}
	free(line);
	fclose(f);
	return best;
}
