/*
 * export_pcmk: the loaded configuration as a Pacemaker/Corosync cluster.
 * Pure: reads a struct conf, writes text into a buffer; no I/O, no
 * globals. One model (primitives, groups, constraints, fencing, notes)
 * rendered four ways: a full CIB for cibadmin/crm_verify, pcs commands,
 * crm configure commands and a corosync.conf skeleton. Whatever does not
 * map is said in every output (a comment), never silently dropped.
 */
#ifndef HBD_EXPORT_PCMK_H
#define HBD_EXPORT_PCMK_H

#include "conf.h"
#include "json.h"
#include "util.h"

#define PCMK_CIB	0x1
#define PCMK_PCS	0x2
#define PCMK_CRM	0x4
#define PCMK_COROSYNC	0x8
#define PCMK_ALL	(PCMK_CIB | PCMK_PCS | PCMK_CRM | PCMK_COROSYNC)

/* the OCF provider hbd's agents are installed under (Makefile.am ocfdir) */
#define PCMK_HBD_PROVIDER	"hbd"

/* "cib", "pcs", "crm", "corosync" or "all" -> PCMK_* bits; -1 unknown */
int	 export_pcmk_format(const char *);

/*
 * The export targets (INTERFACES.md): "pacemaker" (a CIB), "pcs",
 * "crmsh" (or "crm"), "corosync" -> their PCMK_* bit; -1 unknown
 */
int	 export_pcmk_target(const char *);

/*
 * Append the export in the formats asked for (several are separated by
 * "### hbd export: NAME" lines). Returns the number of things that did
 * not map (each is also a comment in the output).
 */
int	 export_pcmk(const struct conf *, unsigned formats, struct buf *);

/*
 * the control command {"cmd":"export","what":TARGET[,"format":F]}:
 * reply format, unmapped, text
 */
int	 export_pcmk_command(const struct conf *, const struct jval *req,
	    struct jw *reply, char *err, size_t errlen);

#endif
