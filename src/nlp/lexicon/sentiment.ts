/**
 * Compact English sentiment lexicon in the style of VADER (Hutto & Gilbert, 2014): valences from
 * −4 (most negative) to +4 (most positive), written for this project with support-desk vocabulary
 * ("broken", "crashes", "unusable", "resolved"). Words that are neutral in support tickets
 * ("issue", "ticket", "charge", "refund") are deliberately absent.
 *
 * Format: `word valence` pairs separated by whitespace; parsed once at module load.
 */
const RAW_VALENCES = `
good 1.9 great 3.1 excellent 2.7 awesome 3.1 amazing 2.8 fantastic 2.6 wonderful 2.7 perfect 2.7
perfectly 2.0 love 3.2 loved 2.9 loving 2.9 lovely 2.8 nice 1.8 happy 2.7 happier 2.4 glad 2.0
pleased 1.9 delighted 2.9 thrilled 2.9 thanks 1.9 thank 1.5 thankyou 1.9 thx 1.5 ty 1.3 thankful 2.7
grateful 2.0 gratitude 2.3 appreciate 1.7 appreciated 2.3 appreciative 2.1 helpful 1.8 useful 1.9
easy 1.9 easier 1.8 easily 1.4 smooth 1.2 smoothly 1.3 quick 1.0 quickly 1.0 fast 0.9 resolved 1.5
solved 1.6 fixed 1.4 works 0.9 worked 1.0 working 0.6 sorted 0.8 brilliant 2.8 superb 3.1
outstanding 3.0 impressive 2.3 impressed 2.1 enjoy 2.2 enjoyed 2.3 enjoying 2.4 recommend 1.5
recommended 1.4 best 3.2 better 1.9 cool 1.3 kind 2.4 kindly 2.0 friendly 2.2 patient 1.5
patience 1.6 fine 0.8 ok 0.9 okay 0.9 yay 2.4 wow 2.8 lol 1.8 pleasure 2.7 success 2.7 successful 2.8
successfully 1.0 reliable 1.9 intuitive 1.8 powerful 1.8 beautiful 2.9 elegant 2.1 fabulous 2.4
terrific 2.1 incredible 2.6 super 2.9 lifesaver 2.6 hero 2.6 legend 1.8 champion 2.9 stellar 2.8
seamless 1.9 seamlessly 1.8 stable 1.2 responsive 1.5 prompt 1.2 promptly 1.3 clear 1.6 clearly 1.0
helped 1.7 supportive 2.4 win 2.8 wins 2.7 hope 1.0 hopefully 1.0
hoping 1.0 work 0.6 welcome 2.0 interested 1.7 interesting 1.7 excited 1.4 exciting 2.2 fun 2.3 favorite 2.0
favourite 2.0 benefit 2.0 improved 2.1 improvement 2.0 improve 1.9 efficient 1.8 effective 2.1
valuable 2.1 value 1.4 trust 2.3 trusted 2.1 safe 1.9 secure 1.4 satisfied 1.8 satisfying 2.0
calm 1.3 relieved 1.5 relief 2.1 fair 1.3 honest 2.3 cheers 2.1 congrats 2.4 congratulations 2.9
smiley 1.8 thumbsup 1.7 heart 2.2 praying 0.6 bravo 2.3 flawless 2.7 wonderfully 2.9 nicely 1.9
bad 2.5- terrible 2.1- awful 2.0- horrible 2.5- horrendous 2.8- dreadful 2.4- worst 3.1- worse 2.1-
hate 2.7- hated 3.2- hates 1.9- hating 2.3- annoying 1.7- annoyed 1.6- annoyance 1.8- angry 2.3-
angrier 2.3- mad 2.2- furious 2.7- livid 2.6- upset 1.6- frustrated 1.5- frustrating 1.9-
frustration 2.1- disappointed 1.9- disappointing 2.2- disappointment 2.3- unhappy 1.8- sad 2.1-
useless 1.8- broken 1.8- broke 1.8- fail 2.3- failed 2.3- fails 1.6- failing 2.3- failure 2.3-
error 1.7- errors 1.4- buggy 1.8- crash 1.7- crashed 1.8- crashes 1.6- crashing 1.8- problem 1.7-
problems 1.7- slow 1.0- sluggish 1.2- laggy 1.3- wrong 2.1- unacceptable 2.6- ridiculous 1.5-
absurd 1.3- stupid 2.4- pathetic 2.5- disgusting 2.4- disgraceful 2.6- shameful 2.4- scam 2.5-
scammed 2.6- fraud 2.8- fraudulent 2.9- lost 1.3- lose 1.3- losing 1.6- loss 1.3- damn 1.7- wtf 2.8-
sucks 1.5- sucked 2.0- suck 1.9- crap 1.6- crappy 2.5- shit 2.6- shitty 2.6- garbage 2.0- trash 1.5-
rubbish 1.8- junk 1.8- worried 1.2- worry 1.9- worrying 1.4- anxious 1.0- scared 1.9- afraid 2.0-
panic 2.3- panicking 2.3- nightmare 2.9- disaster 3.1- disastrous 2.9- mess 1.5- messed 1.4-
confusing 1.3- confused 1.3- impossible 1.5- difficult 1.5- unable 1.2- stuck 1.5- waste 1.8-
wasted 2.2- wasting 1.7- ignored 1.7- ignoring 1.5- ignore 1.5- rude 2.0- incompetent 2.5-
incompetence 2.4- unprofessional 2.1- unreliable 1.8- unusable 2.3- outage 1.5- hacked 1.7- breach 1.5-
sorry 0.3- complaint 1.5- complain 1.0- complaining 0.8- overcharged 1.7- unfair 2.1- misleading 1.9-
hopeless 2.3- helpless 2.0- horrid 2.5- atrocious 3.0- appalling 2.6- appalled 2.4- outrageous 2.0-
outraged 2.5- insane 1.7- nonsense 1.7- pointless 1.7- poor 2.1- poorly 1.8- lousy 2.5- mediocre 1.3-
inconvenient 1.4- inconvenience 1.5- hassle 1.5- painful 1.9- pain 2.3- struggle 1.5- struggling 1.6-
cancel 0.6- regret 1.8- regretting 2.0- irritated 2.0- irritating 1.9- fed 0.3-
sick 1.9- tired 1.3- exhausted 1.5- unresponsive 1.5- delayed 1.2- delay 1.3- missing 1.2- glitch 1.2-
glitchy 1.6- freezes 1.4- frozen 1.1- corrupted 2.1- corrupt 2.2- damaged 1.9- danger 2.4- dangerous 2.1-
threat 2.4- threaten 2.1- sue 1.4- lawsuit 1.7- unauthorized 1.6- unauthorised 1.6- stolen 2.2-
steal 2.2- awkward 1.2- shocked 1.3- shocking 1.7- terrified 3.0- horrified 2.5- disgusted 2.4-
frowny 1.8- crying 2.1- cry 2.1- ugh 1.8- argh 1.7- meh 0.5- bs 2.0- lie 1.8- lied 1.6- lies 1.8- liar 2.3-
blame 1.4- blocked 1.1- block 0.7- kill 2.0- killing 2.0- dead 1.5- die 1.5- dying 1.5- fuming 2.7-
`;

/** Word → valence (−4..+4). Negative entries are written with a trailing minus in `RAW_VALENCES`. */
export const VALENCE: ReadonlyMap<string, number> = (() => {
  const m = new Map<string, number>();
  const parts = RAW_VALENCES.trim().split(/\s+/);
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const word = parts[i]!;
    const v = parts[i + 1]!;
    m.set(word, v.endsWith('-') ? -Number(v.slice(0, -1)) : Number(v));
  }
  return m;
})();

/** Intensifiers that increase the magnitude of the next sentiment word ("very good"). */
export const BOOSTERS: ReadonlySet<string> = new Set([
  'absolutely',
  'amazingly',
  'awfully',
  'completely',
  'considerably',
  'decidedly',
  'deeply',
  'enormously',
  'entirely',
  'especially',
  'exceptionally',
  'extremely',
  'fabulously',
  'fully',
  'greatly',
  'highly',
  'hugely',
  'incredibly',
  'intensely',
  'majorly',
  'more',
  'most',
  'particularly',
  'purely',
  'quite',
  'really',
  'remarkably',
  'so',
  'substantially',
  'thoroughly',
  'totally',
  'tremendously',
  'unbelievably',
  'unusually',
  'utterly',
  'very',
  'seriously',
  'insanely',
  'truly',
  'super',
  'damn',
  'freaking',
  'frigging',
  'fucking',
  'bloody',
  'sooo',
  'soooo',
  'such',
  'too',
  'real',
]);

/** Dampeners that reduce the magnitude of the next sentiment word ("slightly annoying"). */
export const DAMPENERS: ReadonlySet<string> = new Set([
  'almost',
  'barely',
  'hardly',
  'less',
  'little',
  'marginally',
  'occasionally',
  'partly',
  'scarcely',
  'slightly',
  'somewhat',
  'kinda',
  'sorta',
  'kind of',
  'sort of',
  'a bit',
  'a little',
  'bit',
  'mildly',
  'fairly',
  'reasonably',
]);

/** Words that shift weight to the clause after them ("it was fast but the export broke"). */
export const CONTRAST_WORDS: ReadonlySet<string> = new Set(['but', 'however']);

/** Emoticons and emoji rewritten to lexicon words before scoring. */
export const EMOTICONS: ReadonlyArray<readonly [RegExp, string]> = [
  [/(?:^|\s)[:;=]-?[)\]D](?=\s|$)/g, ' smiley '],
  [/(?:^|\s)[:;=]-?[([](?=\s|$)/g, ' frowny '],
  [/(?:^|\s):'\((?=\s|$)/g, ' crying '],
  [/[\u{1F600}-\u{1F60D}\u{1F642}\u{1F60A}\u{263A}]/gu, ' smiley '],
  [/[\u{1F44D}]/gu, ' thumbsup '],
  [/[\u{2764}\u{1F499}\u{1F49A}\u{1F49C}]/gu, ' heart '],
  [/[\u{1F620}\u{1F621}\u{1F624}\u{1F92C}]/gu, ' furious '],
  [/[\u{1F61E}\u{1F61F}\u{1F622}\u{1F625}\u{1F62D}\u{1F641}\u{2639}]/gu, ' frowny '],
  [/[\u{1F44E}]/gu, ' bad '],
];
