/* emoji.c - a sorted table of emoji valences and its binary search. */
#include "emoji.h"

#include "utf8.h"

typedef struct emoji_val {
    uint32_t cp;
    float valence;
} emoji_val;

/* Sorted by code point. */
static const emoji_val TABLE[] = {
    {0x2639, -2.0f},  /* frowning face */
    {0x263A, 2.0f},   /* smiling face */
    {0x2705, 1.5f},   /* check mark button */
    {0x274C, -1.5f},  /* cross mark */
    {0x2764, 2.8f},   /* red heart */
    {0x1F44C, 1.8f},  /* OK hand */
    {0x1F44D, 1.8f},  /* thumbs up */
    {0x1F44E, -1.8f}, /* thumbs down */
    {0x1F44F, 2.0f},  /* clapping hands */
    {0x1F494, -2.5f}, /* broken heart */
    {0x1F495, 2.5f},  /* two hearts */
    {0x1F496, 2.5f},  /* sparkling heart */
    {0x1F499, 2.3f},  /* blue heart */
    {0x1F49A, 2.3f},  /* green heart */
    {0x1F49B, 2.3f},  /* yellow heart */
    {0x1F49C, 2.3f},  /* purple heart */
    {0x1F4A9, -1.5f}, /* pile of poo */
    {0x1F4AF, 2.0f},  /* hundred points */
    {0x1F600, 2.3f},  /* grinning face */
    {0x1F601, 2.3f},  /* beaming face */
    {0x1F602, 1.8f},  /* tears of joy */
    {0x1F603, 2.3f},  /* grinning, big eyes */
    {0x1F604, 2.3f},  /* grinning, smiling eyes */
    {0x1F605, 0.8f},  /* grinning with sweat */
    {0x1F606, 2.0f},  /* squinting laugh */
    {0x1F609, 1.5f},  /* winking */
    {0x1F60A, 2.4f},  /* smiling eyes */
    {0x1F60D, 3.0f},  /* heart eyes */
    {0x1F60E, 1.8f},  /* sunglasses */
    {0x1F610, -0.3f}, /* neutral face */
    {0x1F611, -0.8f}, /* expressionless */
    {0x1F612, -1.8f}, /* unamused */
    {0x1F613, -1.2f}, /* downcast with sweat */
    {0x1F614, -1.6f}, /* pensive */
    {0x1F615, -1.3f}, /* confused */
    {0x1F616, -2.0f}, /* confounded */
    {0x1F618, 2.5f},  /* blowing a kiss */
    {0x1F61E, -2.0f}, /* disappointed */
    {0x1F61F, -1.8f}, /* worried */
    {0x1F620, -2.6f}, /* angry */
    {0x1F621, -3.0f}, /* pouting (enraged) */
    {0x1F622, -2.2f}, /* crying */
    {0x1F623, -2.0f}, /* persevering */
    {0x1F624, -2.3f}, /* steam from nose */
    {0x1F625, -1.8f}, /* sad but relieved */
    {0x1F628, -2.2f}, /* fearful */
    {0x1F629, -2.2f}, /* weary */
    {0x1F62B, -2.2f}, /* tired */
    {0x1F62D, -2.6f}, /* loudly crying */
    {0x1F630, -2.3f}, /* anxious with sweat */
    {0x1F631, -2.5f}, /* screaming in fear */
    {0x1F633, -0.8f}, /* flushed */
    {0x1F637, -0.8f}, /* medical mask */
    {0x1F641, -1.6f}, /* slightly frowning */
    {0x1F642, 1.2f},  /* slightly smiling */
    {0x1F643, -0.3f}, /* upside-down: often ironic */
    {0x1F644, -1.5f}, /* rolling eyes */
    {0x1F64C, 2.2f},  /* raising hands */
    {0x1F64F, 1.2f},  /* folded hands: thanks or pleading */
    {0x1F910, -0.5f}, /* zipper mouth */
    {0x1F911, 0.5f},  /* money mouth */
    {0x1F914, -0.3f}, /* thinking */
    {0x1F915, -1.5f}, /* head bandage */
    {0x1F917, 2.2f},  /* hugging */
    {0x1F920, 1.5f},  /* cowboy */
    {0x1F922, -2.2f}, /* nauseated */
    {0x1F923, 2.0f},  /* rolling on the floor laughing */
    {0x1F925, -1.5f}, /* lying face */
    {0x1F926, -1.8f}, /* facepalm */
    {0x1F92C, -3.0f}, /* symbols on mouth (swearing) */
    {0x1F92E, -2.4f}, /* vomiting */
    {0x1F937, -0.5f}, /* shrug */
    {0x1F970, 2.8f},  /* smiling with hearts */
    {0x1F973, 2.5f},  /* partying face */
    {0x1F974, -1.0f}, /* woozy */
    {0x1F97A, -0.8f}, /* pleading */
    {0x1F9E1, 2.3f},  /* orange heart */
};

float heed__emoji_valence(const char *s, size_t n, int *known)
{
    uint32_t cp;
    *known = 0;
    if (n == 0 || heed__utf8_decode((const unsigned char *)s, n, &cp) == 0)
        return 0.0f;
    size_t lo = 0, hi = sizeof TABLE / sizeof TABLE[0];
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (TABLE[mid].cp == cp) {
            *known = TABLE[mid].valence != 0.0f;
            return TABLE[mid].valence;
        }
        if (TABLE[mid].cp < cp)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0.0f;
}
