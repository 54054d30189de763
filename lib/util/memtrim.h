/* Giving memory back while a long-lived process sits idle. */
#ifndef A3S_UTIL_MEMTRIM_H
#define A3S_UTIL_MEMTRIM_H

/*
 * Ask the kernel to page out this process's file-backed mappings (library
 * and program code it will not run until something happens) and return
 * free heap to the system. Pages come back on the next touch; best effort
 * (MADV_PAGEOUT needs Linux 5.4).
 */
void mem_trim_idle(void);

#endif
