/// glibc's allocator controls (`malloc_trim`), which the Glibc module does not declare.
#include <malloc.h>
