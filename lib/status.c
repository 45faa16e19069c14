/* status.c: names for kb_status_t. */
#include "kb-private.h"

KB_EXPORT const char *kb_status_to_string(kb_status_t status)
{
	switch (status) {
	case KB_OK: return "success";
	case KB_ERR_NOMEM: return "out of memory";
	case KB_ERR_INVALID_ARG: return "invalid argument";
	case KB_ERR_INVALID_INPUT: return "invalid knowledge entries";
	case KB_ERR_IO: return "input/output error";
	case KB_ERR_NO_INDEX: return "no index found";
	case KB_ERR_LOCKED: return "index is locked by another writer";
	case KB_ERR_CORRUPT: return "index is corrupt";
	case KB_ERR_INDEX: return "index engine error";
	case KB_ERR_INTERNAL: return "internal error";
	case KB_STATUS_COUNT: break;
	}
	return "unknown status";
}
