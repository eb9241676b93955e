/*
 * xdrcheck.c -- the libtirpc side of NetRpc.Xdr's byte-for-byte cross-check.
 *
 * Values travel between the C# tests and this program as text, one value per line; XDR travels
 * as hexadecimal, one message per line. The encoding and decoding themselves are done by the
 * rpcgen-generated routines of alltypes.x and bench.x on libtirpc's xdrmem streams.
 *
 *   xdrcheck encode all_types|big_struct   text lines -> hex lines   (or "ERROR ...")
 *   xdrcheck decode all_types|big_struct   hex lines  -> text lines  (or "ERROR ...")
 *   xdrcheck d2q                           16 hex digits of a double -> 32 of (__float128)double
 *   xdrcheck q2d                           32 hex digits of a binary128 -> 16 of (double)quad
 *
 * Text tokens, separated by one space, in field order:
 *   int, enum, bool, hyper: decimal; unsigned int, unsigned hyper: decimal, unsigned
 *   float, double: the bits in hex (8 or 16 digits)
 *   quadruple: q:<32 hex digits of the bits>; as encode input also d:<16 hex digits of a double>
 *   opaque, string: <length>:<hex bytes>
 *   variable-length array: count, then the elements; fixed-length array: the elements
 *   optional data (T *): 0, or 1 and the value; union: the discriminant, then the arm
 */
#include "quadruple.h"
#include "alltypes.h"
#include "bench.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* xdr_quadruple is in the shared quadruple.c. */

/* ------------------------------------------------------------------ text input */

static char *save;

static void fail(const char *what)
{
    printf("ERROR parse %s\n", what);
    fflush(stdout);
    exit(2);
}

static char *tok(const char *what)
{
    char *t = strtok_r(NULL, " \t\r\n", &save);
    if (t == NULL) fail(what);
    return t;
}

static long long p_ll(const char *what) { return strtoll(tok(what), NULL, 10); }
static unsigned long long p_ull(const char *what) { return strtoull(tok(what), NULL, 10); }

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static void hex_to_bytes(const char *hex, unsigned char *out, size_t n, const char *what)
{
    size_t i;
    if (strlen(hex) != 2 * n) fail(what);
    for (i = 0; i < n; i++) {
        int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) fail(what);
        out[i] = (unsigned char)(hi << 4 | lo);
    }
}

static uint64_t p_bits(size_t nbytes, const char *what)
{
    unsigned char b[8];
    uint64_t v = 0;
    size_t i;
    hex_to_bytes(tok(what), b, nbytes, what);
    for (i = 0; i < nbytes; i++) v = v << 8 | b[i];
    return v;
}

static float p_float(void)
{
    uint32_t bits = (uint32_t)p_bits(4, "float");
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

static double bits_to_double(uint64_t bits)
{
    double d;
    memcpy(&d, &bits, 8);
    return d;
}

static double p_double(void) { return bits_to_double(p_bits(8, "double")); }

/* q:<bits> is taken as is; d:<double> is converted by GCC, which checks NetRpc's conversion. */
static quadruple p_quad(void)
{
    char *t = tok("quadruple");
    unsigned char wire[16], host[16];
    quadruple q;
    int i;
    if (strncmp(t, "d:", 2) == 0) {
        unsigned char b[8];
        uint64_t bits = 0;
        hex_to_bytes(t + 2, b, 8, "quadruple from double");
        for (i = 0; i < 8; i++) bits = bits << 8 | b[i];
        return (quadruple)bits_to_double(bits);
    }
    if (strncmp(t, "q:", 2) != 0) fail("quadruple");
    hex_to_bytes(t + 2, wire, 16, "quadruple");
    for (i = 0; i < 16; i++) host[i] = wire[15 - i];
    memcpy(&q, host, 16);
    return q;
}

/* <length>:<hex>; the result is NUL-terminated so that it also serves as a C string. */
static char *p_bytes(u_int *len, const char *what)
{
    char *t = tok(what);
    char *colon = strchr(t, ':');
    char *out;
    if (colon == NULL) fail(what);
    *len = (u_int)strtoul(t, NULL, 10);
    out = malloc(*len + 1);
    hex_to_bytes(colon + 1, (unsigned char *)out, *len, what);
    out[*len] = '\0';
    return out;
}

static char *p_string(const char *what)
{
    u_int len;
    return p_bytes(&len, what);
}

/* ------------------------------------------------------------------ text output */

static int first;

static void emit(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void emit(const char *fmt, ...)
{
    va_list ap;
    if (!first) putchar(' ');
    first = 0;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
}

static void e_bytes(const char *b, u_int len)
{
    u_int i;
    emit("%u:", len);
    for (i = 0; i < len; i++) printf("%02x", (unsigned char)b[i]);
}

static void e_string(const char *s) { e_bytes(s, (u_int)strlen(s)); }

static void e_float(float f)
{
    uint32_t bits;
    memcpy(&bits, &f, 4);
    emit("%08x", bits);
}

static void e_double(double d)
{
    uint64_t bits;
    memcpy(&bits, &d, 8);
    emit("%016llx", (unsigned long long)bits);
}

static void e_quad(quadruple q)
{
    unsigned char host[16];
    int i;
    memcpy(host, &q, 16);
    emit("q:");
    for (i = 15; i >= 0; i--) printf("%02x", host[i]);
}

/* ------------------------------------------------------------------ all_types */

static void p_point(point *p)
{
    p->x = (int)p_ll("point.x");
    p->y = (int)p_ll("point.y");
}

static void e_point(const point *p)
{
    emit("%d", p->x);
    emit("%d", p->y);
}

static void p_shape(shape *s)
{
    s->kind = (color)p_ll("shape.kind");
    switch (s->kind) {
    case RED: s->shape_u.radius = (int)p_ll("shape.radius"); break;
    case GREEN:
    case NEGATIVE: s->shape_u.label = p_string("shape.label"); break;
    case BLUE: break;
    default: s->shape_u.other = p_ll("shape.other"); break;
    }
}

static void e_shape(const shape *s)
{
    emit("%d", (int)s->kind);
    switch (s->kind) {
    case RED: emit("%d", s->shape_u.radius); break;
    case GREEN:
    case NEGATIVE: e_string(s->shape_u.label); break;
    case BLUE: break;
    default: emit("%lld", (long long)s->shape_u.other); break;
    }
}

#define P_ARRAY(arr, type, parse_one)                                  \
    do {                                                               \
        u_int k_;                                                      \
        (arr##_len) = (u_int)p_ull(#arr);                              \
        (arr##_val) = calloc((arr##_len) + 1, sizeof(type));           \
        for (k_ = 0; k_ < (arr##_len); k_++) parse_one(&(arr##_val)[k_]); \
    } while (0)

static void p_int(int *v) { *v = (int)p_ll("int"); }
static void p_hyper(quad_t *v) { *v = p_ll("hyper"); }
static void p_uint(u_int *v) { *v = (u_int)p_ull("unsigned int"); }
static void p_flt(float *v) { *v = p_float(); }
static void p_dbl(double *v) { *v = p_double(); }
static void p_bool(bool_t *v) { *v = (bool_t)p_ll("bool"); }

static void p_all_types(all_types *a)
{
    u_int n, k;
    node **link;
    a->i = (int)p_ll("i");
    a->u = (u_int)p_ull("u");
    a->h = p_ll("h");
    a->uh = p_ull("uh");
    a->b = (bool_t)p_ll("b");
    a->c = (color)p_ll("c");
    a->f = p_float();
    a->d = p_double();
    a->q = p_quad();
    {
        char *fo = p_bytes(&n, "fo");
        if (n != sizeof(fixed5)) fail("fo length");
        memcpy(a->fo, fo, sizeof(fixed5));
        free(fo);
    }
    a->vo.vo_val = p_bytes(&a->vo.vo_len, "vo");
    a->s = p_string("s");
    a->us = p_string("us");
    for (k = 0; k < 3; k++) a->fa[k] = (int)p_ll("fa");
    P_ARRAY(a->va.va, quad_t, p_hyper);
    P_ARRAY(a->ua.ua, u_int, p_uint);
    P_ARRAY(a->fs.fs, float, p_flt);
    P_ARRAY(a->ds.ds, double, p_dbl);
    P_ARRAY(a->bs.bs, bool_t, p_bool);
    p_point(&a->fixed_pts[0]);
    p_point(&a->fixed_pts[1]);
    P_ARRAY(a->pts.pts, point, p_point);
    if (p_ll("opt")) {
        a->opt = calloc(1, sizeof(point));
        p_point(a->opt);
    }
    p_shape(&a->sh);
    P_ARRAY(a->shapes.shapes, shape, p_shape);
    link = &a->list;
    while (p_ll("list")) {
        *link = calloc(1, sizeof(node));
        (*link)->value = (int)p_ll("node.value");
        link = &(*link)->next;
    }
    (void)p_int;
}

static void e_all_types(const all_types *a)
{
    u_int k;
    const node *nd;
    emit("%d", a->i);
    emit("%u", a->u);
    emit("%lld", (long long)a->h);
    emit("%llu", (unsigned long long)a->uh);
    emit("%d", (int)a->b);
    emit("%d", (int)a->c);
    e_float(a->f);
    e_double(a->d);
    e_quad(a->q);
    e_bytes(a->fo, sizeof(fixed5));
    e_bytes(a->vo.vo_val, a->vo.vo_len);
    e_string(a->s);
    e_string(a->us);
    for (k = 0; k < 3; k++) emit("%d", a->fa[k]);
    emit("%u", a->va.va_len);
    for (k = 0; k < a->va.va_len; k++) emit("%lld", (long long)a->va.va_val[k]);
    emit("%u", a->ua.ua_len);
    for (k = 0; k < a->ua.ua_len; k++) emit("%u", a->ua.ua_val[k]);
    emit("%u", a->fs.fs_len);
    for (k = 0; k < a->fs.fs_len; k++) e_float(a->fs.fs_val[k]);
    emit("%u", a->ds.ds_len);
    for (k = 0; k < a->ds.ds_len; k++) e_double(a->ds.ds_val[k]);
    emit("%u", a->bs.bs_len);
    for (k = 0; k < a->bs.bs_len; k++) emit("%d", (int)a->bs.bs_val[k]);
    e_point(&a->fixed_pts[0]);
    e_point(&a->fixed_pts[1]);
    emit("%u", a->pts.pts_len);
    for (k = 0; k < a->pts.pts_len; k++) e_point(&a->pts.pts_val[k]);
    if (a->opt) {
        emit("1");
        e_point(a->opt);
    } else {
        emit("0");
    }
    e_shape(&a->sh);
    emit("%u", a->shapes.shapes_len);
    for (k = 0; k < a->shapes.shapes_len; k++) e_shape(&a->shapes.shapes_val[k]);
    for (nd = a->list; nd; nd = nd->next) {
        emit("1");
        emit("%d", nd->value);
    }
    emit("0");
}

/* ------------------------------------------------------------------ big_struct */

static void p_big_struct(big_struct *b)
{
    b->i1 = (int)p_ll("i1");
    b->i2 = (int)p_ll("i2");
    b->i3 = (int)p_ll("i3");
    b->i4 = (int)p_ll("i4");
    b->h1 = p_ll("h1");
    b->h2 = p_ll("h2");
    b->h3 = p_ull("h3");
    b->name = p_string("name");
    P_ARRAY(b->values.values, int, p_int);
    b->sum = p_ll("sum");
}

static void e_big_struct(const big_struct *b)
{
    u_int k;
    emit("%d", b->i1);
    emit("%d", b->i2);
    emit("%d", b->i3);
    emit("%d", b->i4);
    emit("%lld", (long long)b->h1);
    emit("%lld", (long long)b->h2);
    emit("%llu", (unsigned long long)b->h3);
    e_string(b->name);
    emit("%u", b->values.values_len);
    for (k = 0; k < b->values.values_len; k++) emit("%d", b->values.values_val[k]);
    emit("%lld", (long long)b->sum);
}

/* ------------------------------------------------------------------ driver */

struct kind {
    const char *name;
    size_t size;
    xdrproc_t proc;
    void (*parse)(void *);
    void (*print)(const void *);
};

static const struct kind kinds[] = {
    { "all_types", sizeof(all_types), (xdrproc_t)xdr_all_types,
      (void (*)(void *))p_all_types, (void (*)(const void *))e_all_types },
    { "big_struct", sizeof(big_struct), (xdrproc_t)xdr_big_struct,
      (void (*)(void *))p_big_struct, (void (*)(const void *))e_big_struct },
};

static void encode(const struct kind *k, char *line)
{
    static char buf[1 << 20];
    void *value = calloc(1, k->size);
    XDR x;
    u_int i, len;

    save = line;
    k->parse(value);
    xdrmem_create(&x, buf, sizeof(buf), XDR_ENCODE);
    if (!k->proc(&x, value)) {
        printf("ERROR encode\n");
        return;
    }
    len = xdr_getpos(&x);
    for (i = 0; i < len; i++) printf("%02x", (unsigned char)buf[i]);
    putchar('\n');
    xdr_destroy(&x);
}

static void decode(const struct kind *k, char *line)
{
    size_t n = strcspn(line, "\r\n");
    unsigned char *bytes;
    void *value = calloc(1, k->size);
    XDR x;

    line[n] = '\0';
    if (n % 2 != 0) fail("odd hex");
    bytes = malloc(n / 2 + 1);
    hex_to_bytes(line, bytes, n / 2, "hex");
    xdrmem_create(&x, (char *)bytes, (u_int)(n / 2), XDR_DECODE);
    if (!k->proc(&x, value)) {
        printf("ERROR decode\n");
    } else if (xdr_getpos(&x) != n / 2) {
        printf("ERROR trailing %u\n", (unsigned)(n / 2 - xdr_getpos(&x)));
    } else {
        first = 1;
        k->print(value);
        putchar('\n');
    }
    xdr_destroy(&x);
    xdr_free(k->proc, value);
    free(value);
    free(bytes);
}

static void d2q(char *line)
{
    unsigned char b[8];
    uint64_t bits = 0;
    int i;
    line[strcspn(line, "\r\n")] = '\0';
    hex_to_bytes(line, b, 8, "double");
    for (i = 0; i < 8; i++) bits = bits << 8 | b[i];
    first = 1;
    e_quad((quadruple)bits_to_double(bits));
    putchar('\n');
}

static void q2d(char *line)
{
    unsigned char wire[16], host[16];
    quadruple q;
    int i;
    line[strcspn(line, "\r\n")] = '\0';
    hex_to_bytes(line, wire, 16, "quadruple");
    for (i = 0; i < 16; i++) host[i] = wire[15 - i];
    memcpy(&q, host, 16);
    first = 1;
    e_double((double)q);
    putchar('\n');
}

int main(int argc, char **argv)
{
    char *line = NULL;
    size_t cap = 0;
    const struct kind *k = NULL;
    size_t i;
    int mode;

    if (argc < 2) {
        fprintf(stderr, "usage: xdrcheck encode|decode all_types|big_struct, or xdrcheck d2q|q2d\n");
        return 2;
    }
    if (strcmp(argv[1], "d2q") == 0) mode = 2;
    else if (strcmp(argv[1], "q2d") == 0) mode = 3;
    else {
        mode = strcmp(argv[1], "encode") == 0 ? 0 : strcmp(argv[1], "decode") == 0 ? 1 : -1;
        for (i = 0; argc > 2 && i < sizeof(kinds) / sizeof(kinds[0]); i++)
            if (strcmp(argv[2], kinds[i].name) == 0) k = &kinds[i];
        if (mode < 0 || k == NULL) {
            fprintf(stderr, "xdrcheck: unknown mode or type\n");
            return 2;
        }
    }

    while (getline(&line, &cap, stdin) > 0) {
        first = 1;
        switch (mode) {
        case 0: encode(k, line); break;
        case 1: decode(k, line); break;
        case 2: d2q(line); break;
        case 3: q2d(line); break;
        }
        fflush(stdout);
    }
    free(line);
    return 0;
}
