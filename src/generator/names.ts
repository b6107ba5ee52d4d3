/**
 * Invented names. Clubs are built from syllables so no generated club can be a real one, and every
 * index maps to a different name (a mixed-radix numbering), so a club pool of any size is unique.
 */

const HEADS = [
  'Ash',
  'Bram',
  'Cal',
  'Dun',
  'Elm',
  'Fal',
  'Gar',
  'Hal',
  'Iver',
  'Kel',
  'Lin',
  'Mar',
  'Nor',
  'Quill',
  'Pem',
  'Quen',
  'Ros',
  'Sel',
  'Thorn',
  'Ul',
  'Ver',
  'Wex',
  'Yar',
  'Zan',
  'Bel',
  'Cor',
  'Dal',
  'Fen',
  'Hol',
  'Lor',
  'Mer',
  'Tal',
] as const;
const TAILS = [
  'brook',
  'dale',
  'mere',
  'wick',
  'ford',
  'stead',
  'moor',
  'haven',
  'ridge',
  'wood',
  'field',
  'crest',
  'ton',
  'ley',
  'by',
  'worth',
  'gate',
  'holm',
  'shaw',
  'thorpe',
  'combe',
  'hurst',
  'well',
  'bury',
  'den',
  'fell',
  'garth',
  'lea',
  'mont',
  'ness',
  'stow',
  'vale',
] as const;
// Club-like second words; none is a lone letter, a roman numeral or a number, which would read as a
// team suffix (`I`, `II`, `S1`, `1a`).
const KINDS = [
  'Park',
  'Hills',
  'Racquet Club',
  'Paddle Club',
  'CC',
  'GC',
  'PD',
  'Valley',
  'Shores',
  'Woods',
  'Point',
  'Meadows',
  'Harbor',
  'Heights',
  'Commons',
  'Landing',
  'Grove',
  'Green',
  'Links',
  'Farms',
  'Estates',
  'Bluff',
  'Springs',
  'Trails',
] as const;
const QUALIFIERS = [
  'Lakeside',
  'Prairie',
  'Riverside',
  'Uplands',
  'Hillside',
  'Bayside',
  'Northfield',
  'Southgate',
  'Westbrook',
  'Eastwood',
  'Midland',
  'Highland',
  'Parkside',
  'Woodside',
  'Creekside',
  'Orchard',
] as const;
const AREAS = ['North', 'South', 'East', 'West', 'Central', 'Lakefront'] as const;

const BASE = HEADS.length * TAILS.length * KINDS.length;
const SCATTER = 104_729;

/** How many distinct club names clubName() can give. */
export const CLUB_NAME_CAPACITY = BASE * (QUALIFIERS.length + 1);

/** Every 17th club carries an area after ` - `, as real clubs with several sites do. */
export function clubHasArea(index: number): boolean {
  return index % 17 === 5;
}

export function clubName(index: number): string {
  if (!Number.isInteger(index) || index < 0 || index >= CLUB_NAME_CAPACITY) {
    throw new RangeError(`club index ${index} is outside 0..${CLUB_NAME_CAPACITY - 1}`);
  }
  // A bijection of the base range (the step is coprime with 2^13 * 3) spreads neighbouring indexes over
  // heads, tails and kinds, so a small pool does not read as one word with ten endings.
  const mixed = ((index % BASE) * SCATTER + 7) % BASE;
  const head = HEADS[mixed % HEADS.length];
  const tail = TAILS[Math.floor(mixed / HEADS.length) % TAILS.length];
  const kind = KINDS[Math.floor(mixed / (HEADS.length * TAILS.length)) % KINDS.length];
  const level = Math.floor(index / BASE);
  let name = `${head}${tail} ${kind}`;
  if (level > 0) name += ` ${QUALIFIERS[level - 1]}`;
  if (clubHasArea(index)) name += ` - ${AREAS[index % AREAS.length]}`;
  return name;
}

const FIRST_NAMES = [
  'Alex',
  'Blair',
  'Casey',
  'Dana',
  'Eli',
  'Frankie',
  'Gale',
  'Harper',
  'Indy',
  'Jules',
  'Kit',
  'Lane',
  'Morgan',
  'Noel',
  'Oakley',
  'Parker',
  'Quinn',
  'Reese',
  'Sage',
  'Tatum',
  'Uma',
  'Val',
  'Wren',
  'Xan',
  'Yael',
  'Zion',
  'Avery',
  'Brook',
  'Cam',
  'Drew',
  'Emery',
  'Finley',
  'Gray',
  'Hollis',
  'Ira',
  'Jody',
  'Kendall',
  'Logan',
  'Marlo',
  'Nico',
] as const;
const LAST_HEADS = [
  'Ald',
  'Bren',
  'Cast',
  'Dorn',
  'Ell',
  'Farr',
  'Gunn',
  'Hask',
  'Ing',
  'Jarv',
  'Kess',
  'Lund',
  'Mott',
  'Nash',
  'Orr',
  'Penn',
  'Rusk',
  'Stav',
  'Tull',
  'Vance',
  'Ward',
  'Yost',
] as const;
const LAST_TAILS = [
  'er',
  'ley',
  'ington',
  'son',
  'well',
  'ridge',
  'by',
  'ford',
  'man',
  'quist',
  'strom',
  'ell',
];

/** A person's name from a 32-bit number (e.g. the hash of a player id). */
export function personName(n: number): { first: string; last: string } {
  const first = FIRST_NAMES[n % FIRST_NAMES.length];
  const rest = Math.floor(n / FIRST_NAMES.length);
  const last =
    LAST_HEADS[rest % LAST_HEADS.length] +
    LAST_TAILS[Math.floor(rest / LAST_HEADS.length) % LAST_TAILS.length];
  return { first, last };
}

/** The scraper's `Location ID`: upper snake case, `&` spelled AND. */
export function locationId(club: string): string {
  return club
    .toUpperCase()
    .replace(/&/g, 'AND')
    .replace(/[^A-Z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}
