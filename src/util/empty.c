/* empty.c - stands in for a library folder that has no sources yet. */
typedef int heed_empty_unit;
