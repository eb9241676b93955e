/* rich_samples.c -- see rich_samples.h. The values here and in RichSamples.cs must stay the same. */
#include "rich_samples.h"

#include <stdint.h>
#include <string.h>

static char empty[] = "";

static void zero(everything *e)
{
    memset(e, 0, sizeof(*e));
    e->any = empty;
    e->name = empty;
    e->nickname.present = FALSE;
    e->res.status = 0;
    e->tag.tag = 0;
}

static void full(everything *e)
{
    static char *names[] = {"a", "bb", "ccc"};
    static char blob[] = {(char)0xde, (char)0xad, (char)0xbe, (char)0xef, 0x01};
    static int counts[] = {10, 20, 30, 40, 50};
    static int sides[] = {3, 4};
    static shape shapes[3];
    static node nodes[3];
    static primitives extra;
    static color colors[] = {GREEN, NONE, RED};
    static quadruple quads[2];

    zero(e);
    e->p.i = -123456;
    e->p.u = 4000000000u;
    e->p.h = -1234567890123LL;
    e->p.uh = 18000000000000000000ULL;
    e->p.f = 1.5f;
    e->p.d = -2.25;
    e->p.q = (quadruple)3.5;
    e->p.b = TRUE;
    e->p.c = BLUE;
    memcpy(e->hash, "\x01\x02\x03\x04\x05\x06", 6);
    e->blob.blob_t_len = sizeof(blob);
    e->blob.blob_t_val = blob;
    e->any = "h\xc3\xa9llo w\xc3\xb6rld";
    e->name = "sixteen-chars-ok";
    e->names.names_t_len = 3;
    e->names.names_t_val = names;
    e->triple[0] = 1;
    e->triple[1] = -2;
    e->triple[2] = 3;
    e->counts.counts_len = 5;
    e->counts.counts_val = counts;
    e->pair[0] = INT64_MIN;
    e->pair[1] = INT64_MAX;
    shapes[0].kind = RED;
    shapes[0].shape_u.radius = 2.5;
    shapes[1].kind = GREEN;
    shapes[1].shape_u.sides.sides_len = 2;
    shapes[1].shape_u.sides.sides_val = sides;
    shapes[2].kind = BLUE;
    e->shapes.shapes_len = 3;
    e->shapes.shapes_val = shapes;
    e->nickname.present = TRUE;
    e->nickname.maybe_u.value = "nick";
    e->res.status = 2;
    e->res.result_u.message = "two";
    e->tag.tag = 1;
    e->tag.tagged_u.big = 0x0123456789abcdefLL;
    nodes[0].label = "x";
    nodes[0].weight = 1;
    nodes[0].next = &nodes[1];
    nodes[1].label = "y";
    nodes[1].weight = 2;
    nodes[1].next = &nodes[2];
    nodes[2].label = "z";
    nodes[2].weight = -3;
    nodes[2].next = NULL;
    e->list = &nodes[0];
    memset(&extra, 0, sizeof(extra));
    extra.i = 7;
    extra.c = NONE;
    extra.q = (quadruple)-0.125;
    e->extra = &extra;
    e->colors.colors_len = 3;
    e->colors.colors_val = colors;
    e->flags[0] = TRUE;
    e->flags[1] = FALSE;
    quads[0] = (quadruple)1.0;
    quads[1] = (quadruple)-0.5;
    e->quads.quads_len = 2;
    e->quads.quads_val = quads;
}

static void other_arms(everything *e)
{
    static char raw[] = {1, 2, 3};
    static shape shapes[1];
    static node last;
    static primitives ok;

    zero(e);
    shapes[0].kind = GREEN; /* no sides */
    e->shapes.shapes_len = 1;
    e->shapes.shapes_val = shapes;
    e->res.status = 7; /* the default arm, void */
    e->tag.tag = 9;    /* the default arm, with data */
    e->tag.tagged_u.raw.raw_len = sizeof(raw);
    e->tag.tagged_u.raw.raw_val = raw;
    last.label = "only";
    last.weight = 0;
    last.next = NULL;
    e->list = &last;
    memset(&ok, 0, sizeof(ok));
    ok.c = GREEN;
    e->extra = &ok;
}

void rich_sample(int n, everything *e)
{
    switch (n) {
    case 1: full(e); break;
    case 2: other_arms(e); break;
    default: zero(e); break;
    }
}
