/*
 * rich_samples.h -- the values of rich.x that the C and C# sides both build (RichSamples.cs is the C# twin):
 * the byte-for-byte tests compare what each side encodes.
 */
#ifndef RICH_SAMPLES_H
#define RICH_SAMPLES_H
#include "rich.h"

#define RICH_SAMPLE_COUNT 3

/* Fills *e with sample n (0: everything zero or empty; 1: every field set; 2: the other arms). */
void rich_sample(int n, everything *e);

#endif
