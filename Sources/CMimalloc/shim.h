/// mimalloc (Debian `libmimalloc-dev`): linked into `attune`, its `malloc` and `free` replace
/// glibc's for the whole process, including SQLite and libmicrohttpd.
#include <mimalloc.h>
