/* labschema.h - the libcyaml schema of lab.yaml and its name tables.  Private to labs/harness. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <cyaml/cyaml.h>

#include "portmap.h"
#include "labfile.h"

/* The hypercalls mapping: one optional port per call of the port map (portmap.h). */
struct lab_hypercall_ports {
	uint64_t *port[VMM_PORTMAP__COUNT];
};

/* Build the parts of the schema that come from the VMM (hypercall names); idempotent. */
void lab_schema_init(void);

extern const cyaml_schema_value_t lab_schema;
extern const cyaml_config_t lab_cyaml_config;  /* without log_fn: copy and set it */

/* Words for what a schema value accepts: "a non-negative integer", "one of: a, b". */
void lab_schema_describe(const cyaml_schema_value_t *v, char *buf, size_t len);

/* Names of lab_page_flag bits ("P", "RW", ...), for messages. */
void lab_page_flags_text(unsigned flags, char *buf, size_t len);
