/*
 * mib_nodes: hbdNodeTable (INDEX hbdNodeIndex) and hbdLinkTable (INDEX
 * hbdNodeIndex, hbdLinkIndex), rows numbered as hbd numbers them. Ages
 * are hbd's own figures from the last status refresh (see cache.c);
 * TimeStamps are computed when read. Reads the cache only.
 */
#include "config.h"

#include "cache.h"
#include "mib.h"

#define AGE_NEVER	4294967295LL

static int64_t
age(int64_t a)
{
	if (a == CACHE_NEVER)
		return AGE_NEVER;
	return a >= AGE_NEVER ? AGE_NEVER - 1 : a;
}

static void
node_value(const void *row, int col, struct mib_val *v)
{
	const struct c_node	*n = row;

	switch (col) {
	case 2:
		mv_string(v, n->name, 64);
		break;
	case 3:
		mv_int(v, n->type);
		break;
	case 4:
		mv_int(v, n->status);
		break;
	case 5:
		mv_unsigned(v, age(n->age_ms));
		break;
	case 6:
		mv_timestamp(v, n->changed_mono, TS_SINCE_CONNECT);
		break;
	case 7:
		mv_unsigned(v, n->generation);
		break;
	case 8:
		mv_counter(v, n->late);
		break;
	case 9:
		mv_counter(v, n->dead);
		break;
	}
}

static void
link_value(const void *row, int col, struct mib_val *v)
{
	const struct c_link	*l = row;

	switch (col) {
	case 2:
		mv_string(v, l->name, 64);
		break;
	case 3:
		mv_int(v, l->type);
		break;
	case 4:
		mv_int(v, l->status);
		break;
	case 5:
		mv_unsigned(v, age(l->age_ms));
		break;
	case 6:
		mv_timestamp(v, l->changed_mono, TS_SINCE_CONNECT);
		break;
	}
}

void
mib_nodes_collect(const struct cache *c)
{
	oid	 sub[3], idx[2];
	size_t	 i, j;
	int	 col;

	sub[1] = 1;
	for (i = 0; i < c->nnodes; i++) {
		const struct c_node	*n = &c->nodes[i];

		if (n->index == 0)
			continue;
		idx[0] = n->index;
		sub[0] = 4;
		for (col = 2; col <= 9; col++) {
			if (col == 4 && n->status == 0)
				continue;
			sub[2] = (oid)col;
			mib_add(sub, 3, idx, 1, node_value, n, col);
		}
		sub[0] = 5;
		for (j = 0; j < n->nlinks; j++) {
			const struct c_link	*l = &n->links[j];

			if (l->index == 0)
				continue;
			idx[1] = l->index;
			for (col = 2; col <= 6; col++) {
				if ((col == 3 && l->type == 0) ||
				    (col == 4 && l->status == 0))
					continue;
				sub[2] = (oid)col;
				mib_add(sub, 3, idx, 2, link_value, l, col);
			}
		}
	}
}
