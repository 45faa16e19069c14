/* index_dir.h: the on-disk layout of a kb index directory.
 *
 *   DIR/lock        flock()ed by the one writer
 *   DIR/gen-N/      Xapian databases, one per successful kb-index run
 *   DIR/gen-N/build a rebuild's database as written (build-1, build-2...
 *                   for the other writers of a rebuild with several), all
 *                   compacted into gen-N and deleted before it is published
 *   DIR/current     symlink to the live gen-N
 *
 * A writer builds gen-(N+1) and then renames a new symlink over "current",
 * which is atomic: a reader resolves "current" to one complete generation.
 * The previous generation is kept until the next run, because a reader may
 * have resolved the link just before the switch. */
#ifndef KB_INDEX_DIR_H
#define KB_INDEX_DIR_H

#include "kb.h"

typedef struct kb_index_dir {
	char *path;
	int lock_fd;
	char *new_name;   /* "gen-N" being built */
	char *new_path;   /* path/gen-N */
	char *build_path; /* path/gen-N/build */
	int published;
} kb_index_dir_t;

/* Creates path if needed, refuses a directory that is not a kb index,
 * takes the lock (KB_ERR_LOCKED if held) and picks the next generation. */
kb_status_t kb_index_dir_open(const char *path, kb_index_dir_t *d, char **err);

/* Creates new_path for a rebuild, which writes its database at
 * build_path. */
kb_status_t kb_index_dir_start_build(kb_index_dir_t *d, char **err);

/* Where writer `part` of a rebuild writes (0: build_path), malloc()ed;
 * NULL when out of memory. */
char *kb_index_dir_part_path(const kb_index_dir_t *d, unsigned part);

/* Compacts the databases the rebuild's `parts` writers wrote into one at
 * new_path (Xapian writes every B-tree block full: 40% less disk and
 * faster searches than the blocks an index grown document by document
 * leaves), then deletes them. */
kb_status_t kb_index_dir_compact_build(kb_index_dir_t *d, unsigned parts, char **err);

/* Makes new_path the live generation and deletes older ones except the one
 * it replaced. */
kb_status_t kb_index_dir_publish(kb_index_dir_t *d, char **err);

/* Deletes the new generation unless published, and unlocks. */
void kb_index_dir_close(kb_index_dir_t *d);

/* If path is a kb index directory, the live generation's path (malloc()ed)
 * into *live and KB_OK; KB_ERR_NO_INDEX if path is not one. */
kb_status_t kb_index_dir_live(const char *path, char **live);

#endif
