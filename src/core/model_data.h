/* model_data.h - the trained model files embedded in libheed at build time
 * (models/<name>.model). A model absent at build time has length 0. */
#ifndef HEED_MODEL_DATA_H
#define HEED_MODEL_DATA_H

#include <stddef.h>

typedef struct heed_blob {
    const unsigned char *ptr;
    size_t len;
} heed_blob;

heed_blob heed__model_emotions(void);
heed_blob heed__model_needs(void);
heed_blob heed__model_intensity(void);
heed_blob heed__model_empathy(void);

#endif
