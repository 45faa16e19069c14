/* index_dir.c: generations, the "current" link and the writer's lock. */
#define _XOPEN_SOURCE 700
#include "index_dir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kb-private.h"
#include "xapian_shim.h"

static int remove_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	remove(p);
	return 0;
}

static void remove_tree(const char *path)
{
	nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

static int mkdir_parents(const char *path)
{
	char *p = strdup(path);
	if (!p)
		return -1;
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0777) != 0 && errno != EEXIST) {
			free(p);
			return -1;
		}
		*s = '/';
	}
	int rc = mkdir(p, 0777) != 0 && errno != EEXIST ? -1 : 0;
	free(p);
	return rc;
}

/* The generation number of a directory entry name, or 0 if not one. */
static unsigned long generation_of(const char *name)
{
	size_t n = strlen(KB_DIR_GENERATION_PREFIX);
	if (strncmp(name, KB_DIR_GENERATION_PREFIX, n) != 0 || !name[n])
		return 0;
	char *end;
	unsigned long g = strtoul(name + n, &end, 10);
	return *end ? 0 : g;
}

static char *read_current(const char *path)
{
	char *link = kb_strdup_printf("%s/%s", path, KB_DIR_CURRENT);
	if (!link)
		return NULL;
	char buf[PATH_MAX];
	ssize_t n = readlink(link, buf, sizeof buf - 1);
	free(link);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	return strdup(buf);
}

kb_status_t kb_index_dir_live(const char *path, char **live)
{
	*live = NULL;
	char *name = read_current(path);
	if (!name)
		return KB_ERR_NO_INDEX;
	*live = kb_strdup_printf("%s/%s", path, name);
	free(name);
	return *live ? KB_OK : KB_ERR_NOMEM;
}

/* Whether path's entries look like ours (or it is empty). */
static int looks_like_index(DIR *dir, unsigned long *max_gen)
{
	int ours = 1;
	struct dirent *de;
	*max_gen = 0;
	while ((de = readdir(dir))) {
		const char *n = de->d_name;
		unsigned long g = generation_of(n);
		if (g > *max_gen)
			*max_gen = g;
		if (!g && strcmp(n, ".") && strcmp(n, "..") && strcmp(n, KB_DIR_CURRENT) &&
		    strcmp(n, KB_DIR_LOCK) && strcmp(n, KB_DIR_CURRENT ".new"))
			ours = 0;
	}
	return ours;
}

kb_status_t kb_index_dir_open(const char *path, kb_index_dir_t *d, char **err)
{
	*d = (kb_index_dir_t){.lock_fd = -1};
	*err = NULL;
	if (mkdir_parents(path) != 0) {
		*err = kb_strdup_printf("cannot create index directory %s: %s", path, strerror(errno));
		return KB_ERR_IO;
	}
	d->path = strdup(path);
	char *lock = kb_strdup_printf("%s/%s", path, KB_DIR_LOCK);
	if (!d->path || !lock) {
		free(lock);
		return KB_ERR_NOMEM;
	}
	DIR *dir = opendir(path);
	if (!dir) {
		*err = kb_strdup_printf("cannot open index directory %s: %s", path, strerror(errno));
		free(lock);
		return KB_ERR_IO;
	}
	unsigned long max_gen;
	int ours = looks_like_index(dir, &max_gen);
	closedir(dir);
	if (!ours) {
		*err = kb_strdup_printf("%s exists and is not a kb index directory; "
		                        "refusing to write into it (name a new or empty directory)",
		                        path);
		free(lock);
		return KB_ERR_IO;
	}
	d->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	free(lock);
	if (d->lock_fd < 0) {
		*err = kb_strdup_printf("cannot write in %s: %s", path, strerror(errno));
		return KB_ERR_IO;
	}
	if (flock(d->lock_fd, LOCK_EX | LOCK_NB) != 0) {
		*err = kb_strdup_printf("another kb-index is updating %s; try again when it has finished",
		                        path);
		return errno == EWOULDBLOCK ? KB_ERR_LOCKED : KB_ERR_IO;
	}
	d->new_name = kb_strdup_printf("%s%lu", KB_DIR_GENERATION_PREFIX, max_gen + 1);
	d->new_path = d->new_name ? kb_strdup_printf("%s/%s", path, d->new_name) : NULL;
	d->build_path = d->new_path ? kb_strdup_printf("%s/%s", d->new_path, KB_DIR_BUILD) : NULL;
	if (!d->build_path)
		return KB_ERR_NOMEM;
	/* Runs killed before publishing left their unfinished generations,
	 * numbered above the live one; nobody can be reading those. */
	char *live = read_current(path);
	unsigned long live_gen = live ? generation_of(live) : 0;
	free(live);
	for (unsigned long g = live_gen + 1; g <= max_gen + 1; g++) {
		char *dead = kb_strdup_printf("%s/%s%lu", path, KB_DIR_GENERATION_PREFIX, g);
		if (dead)
			remove_tree(dead);
		free(dead);
	}
	return KB_OK;
}

kb_status_t kb_index_dir_start_build(kb_index_dir_t *d, char **err)
{
	*err = NULL;
	if (mkdir(d->new_path, 0777) != 0 && errno != EEXIST) {
		*err = kb_strdup_printf("cannot create %s: %s", d->new_path, strerror(errno));
		return KB_ERR_IO;
	}
	return KB_OK;
}

char *kb_index_dir_part_path(const kb_index_dir_t *d, unsigned part)
{
	return part ? kb_strdup_printf("%s-%u", d->build_path, part) : strdup(d->build_path);
}

kb_status_t kb_index_dir_compact_build(kb_index_dir_t *d, unsigned parts, char **err)
{
	*err = NULL;
	char **paths = calloc(parts ? parts : 1, sizeof *paths);
	kb_status_t st = paths ? KB_OK : KB_ERR_NOMEM;
	for (unsigned i = 0; st == KB_OK && i < parts; i++)
		if (!(paths[i] = kb_index_dir_part_path(d, i)))
			st = KB_ERR_NOMEM;
	if (st == KB_OK)
		st = kbx_compact((const char *const *)paths, parts, d->new_path, err);
	for (unsigned i = 0; paths && i < parts; i++) {
		if (st == KB_OK && paths[i])
			remove_tree(paths[i]);
		free(paths[i]);
	}
	free(paths);
	return st;
}

static int fsync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	close(fd);
	return rc;
}

kb_status_t kb_index_dir_publish(kb_index_dir_t *d, char **err)
{
	*err = NULL;
	char *previous = read_current(d->path);
	char *tmp = kb_strdup_printf("%s/%s.new", d->path, KB_DIR_CURRENT);
	char *link = kb_strdup_printf("%s/%s", d->path, KB_DIR_CURRENT);
	kb_status_t st = KB_OK;
	if (!tmp || !link) {
		st = KB_ERR_NOMEM;
		goto out;
	}
	unlink(tmp);
	if (fsync_dir(d->new_path) != 0 || symlink(d->new_name, tmp) != 0 ||
	    rename(tmp, link) != 0 || fsync_dir(d->path) != 0) {
		*err = kb_strdup_printf("cannot switch %s to the new index: %s", link, strerror(errno));
		unlink(tmp);
		st = KB_ERR_IO;
		goto out;
	}
	d->published = 1;
	/* Everything but the new and the replaced generation is unreachable. */
	DIR *dir = opendir(d->path);
	struct dirent *de;
	while (dir && (de = readdir(dir))) {
		if (!generation_of(de->d_name) || strcmp(de->d_name, d->new_name) == 0 ||
		    (previous && strcmp(de->d_name, previous) == 0))
			continue;
		char *old = kb_strdup_printf("%s/%s", d->path, de->d_name);
		if (old)
			remove_tree(old);
		free(old);
	}
	if (dir)
		closedir(dir);
out:
	free(previous);
	free(tmp);
	free(link);
	return st;
}

void kb_index_dir_close(kb_index_dir_t *d)
{
	if (d->new_path && !d->published)
		remove_tree(d->new_path);
	if (d->lock_fd >= 0)
		close(d->lock_fd);
	free(d->path);
	free(d->new_name);
	free(d->new_path);
	free(d->build_path);
	*d = (kb_index_dir_t){.lock_fd = -1};
}
