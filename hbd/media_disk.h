/*
 * media_disk: the disk medium's servant process (see media_disk.c).
 */
#ifndef HBD_MEDIA_DISK_H
#define HBD_MEDIA_DISK_H

#include <sys/types.h>
#include <stdint.h>

pid_t	disk_servant_start(const char *dev, int me, int peer,
	    uint32_t keepalive_ms, int *fd);

#endif
