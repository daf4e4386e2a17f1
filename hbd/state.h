/*
 * state: what hbd keeps across restarts in its state directory — the
 * generation number (incremented at every start, never going backwards)
 * and each group's last agreed placement. Writes are atomic (temp file,
 * fsync, rename); a failed write is logged and survived, never fatal.
 */
#ifndef HBD_STATE_H
#define HBD_STATE_H

#include <stdint.h>

struct state_placement {
	char		 group[256];
	uint32_t	 epoch;
	char		 proposer[64];
	char		 target[64];
	int		 reason;	/* enum move_reason; 0 unknown */
};

int	 state_open(const char *dir);
uint32_t state_next_generation(void);
uint32_t state_load_generation(void);
int	 state_save_generation(uint32_t);
uint32_t state_load_peer_generation(void);
int	 state_save_peer_generation(uint32_t);
int	 state_load_placements(struct state_placement *, int max);
int	 state_save_placements(const struct state_placement *, int n);
const char *state_dir(void);

#endif
