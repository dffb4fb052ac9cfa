/**
 * Language profiles for `detectLanguage`: the 200 most frequent character trigrams of each
 * language (most frequent first, `|`-separated, spaces mark word edges) and short stop-word lists.
 *
 * Trigram profiles are taken from the MIT-licensed `franc` project (data derived from the Universal
 * Declaration of Human Rights translations); the stop-word lists are written for this project and
 * lean towards words seen in support tickets ("hola", "gracias", "konto", "bitte").
 */
import { z } from 'zod';

/** A Latin-script language that has a profile. */
export const ProfiledLanguageSchema = z.enum(['en', 'es', 'fr', 'de', 'pt', 'it', 'nl']);
/** A Latin-script language that has a profile. */
export type ProfiledLanguage = z.infer<typeof ProfiledLanguageSchema>;
/** Codes of the Latin-script languages that have profiles. */
export const PROFILED_LANGUAGES: readonly ProfiledLanguage[] = ProfiledLanguageSchema.options;

/** Trigram profiles, most frequent first. */
export const TRIGRAMS: Readonly<Record<ProfiledLanguage, string>> = {
  en:
    'the| th| an|he |nd |ion|and| to|to |tio| of|on |of | in|al |ati|or |ght|igh|rig| ri|ne |ent|one|ll |is |as ' +
    '|ver|ed | be|e r|in |t t|all|eve|ht | or|ery|s t|ty | ev|e h|yon| ha|ryo|e a|be |his| fr|ng |d t|has| ' +
    'sh|ing| hi|sha| pr| co| re|hal|nal|y a|s a|n t|ce |men|ree|fre|e s|l b|nat|for|ts |nt |n a|ity|ry ' +
    '|her|nce|ect|d i| pe|pro|n o|cti| fo|e e|ly |es | no|ona|ny |any|er |re |f t|e o| de|s o| wi|ter|nte|e ' +
    'i|ons| en| ar|res|ers|y t|per|d f| a | on|ith|l a|e t|oci|soc|lit| as| se|dom|edo|eed|nti|s e|t ' +
    'o|oth|wit| di|equ|t a|ted|st |y o|int|e p| ma| so| na|l o|e c|ch |d a|enc|th |are|ns |ic | un| ' +
    'fu|tat|ial|cia| ac|hts|nit|qua| eq| al|om |e w|d o|f h|ali|ote|n e| wh|r t|sta|ge |thi|o a|tit|ual|an |te ' +
    '|ess| ch|le |ary|e f|by | by|y i|tec|uni|o t|o o| li|no | la|s r| su|inc|led|rot|con| pu| he',
  es:
    ' de|de |os | la| a |la | y |ón |ión|es |ere|rec|ien|o a|der|ció|cho|ech|en |a p|ent|a l|aci|el |na |ona|e ' +
    'd| co|as |da | to|al |ene| en|tod| pe|e l| el|ho |nte| su|per|a t|ad | ti|ers|tie| se|rso|son|e s| pr|o ' +
    'd|oda|te |cia|n d| es|dad|ida| in|ne |est|ion|cio|s d|con|a e| po|men| li|n e|nci|res|su |to |tra| re| ' +
    'lo|tad| na|los|a s| o |ia |que| pa|rá |pro| un|s y|ual|s e|lib|nac|do |ra |er |a d|ue | qu|e e|sta|nal|ar ' +
    '|nes|ica|a c|ser|or |ter|se |por|cci|io |del|l d|des|ado|les|one|a a|ndi| so| cu|s p|ale|s ' +
    'n|ame|par|ici|oci|una|ber|s t|rta|com| di|dos|e a|imi|o s|e c|ert|las|o p|ant|dic|nto| al|ara|ibe|enc|o ' +
    'e|s l|cas| as|e p|ten|ali|o t|soc|y l|n c|nta|so |tos|y a|ria|n t|die|a u| fu|no |l p|ial|qui|dis|s ' +
    'o|hos|gua|igu| ig| ca|sar|l t| ma|l e|pre| ac|tiv|s a|re |nad|vid|era| tr|ier|cua|n p',
  fr:
    ' de|es |de |ion|nt |tio|et |ne |on | et|ent|le |oit|e d| la|e p|la |it | à |t d|roi|dro| dr| le|té |e ' +
    's|ati|te |re | to|s d|men|tou|e l|ns | pe| co|son|que| au| so|e a|onn|out| un| qu| sa| pr|ute|eme| l’|t ' +
    'à| a |e e|con|des| pa|ue |ers|e c| li|a d|per|ont|s e|t l|les|ts |tre|s l|ant| ou|cti|rso|ou |ce |ux |à ' +
    'l|nne|ons|ité|en |un | en|er |une|n d|sa |lle| in|nte|e t| se|lib|res|a l|ire| d’| re|é d|nat|iqu|ur |r ' +
    'l|t a|s s|aux|par|nal|a p|ans|dan|qui|t p| dé|pro|s p|air| ne| fo|ert|s a|nce|au |ui |ect|du ' +
    '|ond|ale|lit| po|san| ch|és | na|us |com|our|ali|tra| ce|al |e o|e n|rté|ber|ibe|tes|r d|e r|its| ' +
    'di|êtr|pou|été|s c|à u|ell|int|fon|oci|soc|ut |ter| da|aut|ien|rai| do|iss|s n| ma|bli|ge |est|s o| ' +
    'du|ona|n p|pri|rs |éga| êt|ous|ens|ar |age|s t| su|cia|u d|cun|rat| es|ir |n c|e m| ét|t ê|a c',
  de:
    'en |er |der|ein| un|nd |und|ung|cht|ich| de|sch|ng | ge|ine|ech|gen|rec|che|ie | re|eit| au|ht |die| di| ' +
    'ha|ch | da|ver| zu|lic|t d|in |auf| ei| in| be|hen|nde|n d|uf |ede| ve|it |ten|n s|sei|at |jed| je| ' +
    'se|and|rei|s r|den|ter|ne |hat|t a|r h|zu |das|ode| od|as |es | an|fre|nge| we|n u|run| fr|ere|e ' +
    'u|lle|ner|nte|hei|ese| so|rde|wer|ige| al|ers|n g|hte|d d| st|n j|lei|all|n a|nen|ege|ent|bei|g d|erd|t ' +
    'u|ren|nsc|chu| gr|kei|ens|le |ben|aft|haf|cha|tli|ges|e s| si|men| vo|lun|em |r s|ion|te ' +
    '|len|gru|gun|tig|unt|uch|spr|n e|ft |ei |e f| wi| sc|r d|n n|geh|r g|dar|sta|erk| er|r e|sen|eic|gle| ' +
    'gl|lie|e e|tz |fen|n i|nie|f g|t w|des|chl|ite|ihe|eih|ies|ruc|st |ist|n w|h a|n z|e a| ni|ang|rf ' +
    '|arf|gem|ale|ati|on |he |t s|ach| na|end|n o|pru|ans|sse|ern|aat|taa|ehe|e d|hli|hre|int|tio|her|nsp|de ',
  pt:
    'de | de| se|ão |os |to |em | e |do |o d| di|er |ito|eit|ser|ent|ção| a |dir|ire|rei|o s|ade|dad|uma|as |no ' +
    '|e d| to|nte| co|o t|tod| ou|men|que|s e|man| pr| in| qu|es | te|hum|odo|e a|da | hu|ano|te |al |tem|o ' +
    'e|s d|ida|m d| pe| re|o a|ou |r h|e s|cia|a e| li|o p| es|res| do| da| à |ual| em| su|açã|dos|a ' +
    'p|tra|est|ia |con|pro|ar |e p|is | na|rá |qua|a d| pa|com|ais|o c|ame|erá| po|uer|sta|ber|ter| o |ess|ra ' +
    '|e e|das|o à|nto|nal|o o|a c|ido|rda|erd| as|nci|sua|ona|des|ibe|lib|e t|ado|s n|ua |s t|ue | so|ica|ma ' +
    '|lqu|alq|tos|m s|a l|per|ada|oci|soc|cio|a n|par|aci|s a|pre|ont|m o|ura|a s| um|ion|e o|or |e ' +
    'r|pel|nta|ntr|a i|io |nac|ênc|str|ali|ria|nst| tr|a q|int|o n|a o|ca |ela|uçã|lid|e l| at|sen|ese|r d|s ' +
    'p|egu|seg|vid|pri|sso|ém |ime|tic|dis|raç|eci|ara| ca|nid|tru|ões|ass|seu|por|a a|m p',
  it:
    ' di|to | in|ion|la | de|di |re |e d|ne | e |zio|rit|a d|one|o d|ni |le |lla|itt|ess| ' +
    'al|iri|dir|tto|ent|ell|i i|del|ndi|ere|ind|o a| co|te |tà |ti |a s|uo |e e|gni|azi| ' +
    'pr|idu|ivi|duo|vid|div|ogn| og| es|i e| ha|all|ale|nte|e a|men|ser| su| ne|e l|za |i d|per|a p|ha | pe| ' +
    'un|con|no |sse|li |e i| o | so| li| la|pro|ia |o i|e p|o s|i s|in |ato|o h|na |e s|a l|e o|nza|ali|tti|o ' +
    'p|ta |so |ber|ibe|lib|o e|un | a | ri|ua |il | il|nto|pri|el | po|una|are|ame| qu|a c|ro |oni|nel|e n| ' +
    'ad|ual|gli|sua|ond| re|a a|i c|ri |o o|sta|ita|i o| le|ad |i a|ers|enz|ssi|à e|ità|gua|i p|e c|io | ' +
    'pa|ter|soc|nal|ona|naz|ist|cia|rso|ver|a e|i r|tat|lle|sia| si|rio|tra|che| se|rtà|ert|anz|eri|tut|à d|he ' +
    '| da|al |ant|qua|on |ari|o c| st|oci|er |dis|tri|si |ed | ed|ono| tu|ei |dei|uzi|com|att|a ' +
    'n|opr|rop|par|nes|i l',
  nl:
    'en |an |de | de| he|ing|cht| en|der|van| va|ng |een|et |ech| ge| ee|n e|rec| re|n v|n d|nde|ver| be|er ' +
    '|ede|den| op|het|n i| te|lij|gen|zij| zi|ht |ijk|eli| in|t o| ve|op |and|ten|ke |ijn|e v|jn |ied| on|eft| ' +
    'ie|sch|n z|n o|aan|ft |eid|te |oor| we|ond|eef|ere|hee|id |in |rde|n w|t r|aar|rij|ord|wor|ens|of | ' +
    'of|hei|n g| vr| vo| aa|r h|hte| wo|n h|al |nd |vri|e o|ren|le |or |n a|jke|lle|eni|n b|ij |e e|g v| ' +
    'st|ige|die|e g|men|nge|t h|e b| za|e s|om |t e|ati|wel|erk|sta|ers| al| om|n t|zal|dig| ' +
    'me|ste|voo|ter|gin|re |ege|ge |g e|bes|nat| na|eke|che|ig |gel|nie|nst|e a|nig|est|e w|erw|r d|end|ona|d ' +
    'v|jhe|ijh|d e|ele| di|ie | do|del|n n|at |it | da|tie|e r|elk|ich|jk |vol|ijd|tel|min|len|str|lin|n ' +
    's|per|t d|han| zo|hap|cha|wet| to|ven| ni|aat|ion|tio|taa|lke|eze|met|ard|waa|uit|sti|e n|doo|pen',
};

/** Stop words (lower case, accents kept; apostrophes split words, so "j'ai" gives "j" and "ai"). */
export const STOP_WORDS: Readonly<Record<ProfiledLanguage, string>> = {
  en: `the a an and or but is are was were be been being have has had do does did i you he she it we they
    my your our their this that these those to of in on for with from at by as not no can could would should
    will how what when where why who which there here if so just me us them please thanks thank hi hello
    any some all about after before because also still again than then its into out only very get got
    need want trying tried able doesn don didn isn wasn aren won couldn t ve ll re m s yes cannot anyone
    someone something anything every while since until my our account using use used keeps since`,
  es: `de la que el en y a los del se las por un para con no una su al lo como más mas pero sus le ya o este
    sí si porque esta entre cuando muy sin sobre también tambien me hasta hay donde quien desde todo nos
    durante todos uno les ni contra otros ese eso ante ellos e esto mí antes algunos qué unos yo otro otras
    otra él tanto esa estos mucho nada muchos cual poco ella estar estas algo nosotros mi mis tú te tu tus
    puedo puede tengo tiene cómo hola gracias favor necesito quiero funciona es está esta estoy son hacer
    ayuda cuenta pago factura buenos buenas días tardes ningún ninguna usted ustedes aún todavía sólo solo`,
  fr: `le la les de des du un une et est en que qui dans pour pas sur au aux avec ce cette ces il elle ils
    nous vous je j ne se sa son ses mon ma mes votre vos notre nos leur mais ou où par plus tout très comme
    être avoir fait faire peux peut suis sont ai avez merci bonjour compte aide pourquoi comment quand aussi
    déjà encore c l d qu n s m y ça cela toujours rien jamais bien sans depuis chez moi toi lui eux été était
    voudrais pouvez facture paiement madame monsieur cordialement bonsoir fonctionne marche`,
  de: `der die das und ist nicht ich sie es zu den mit von ein eine einen einem dem des auf für im sich auch
    als an bei wir ihr mein meine meinen mir mich dass aber oder wie was wenn noch nur kann können habe
    haben hat bin sind war wird werden schon bitte danke hallo konto kein keine nach um aus so hier warum
    wieso funktioniert geht gibt immer wieder sehr ja nein jetzt heute doch mal zum zur ihre ihren ihnen
    unser unsere euch dieser diese dieses leider rechnung zahlung guten tag grüße gruß vielen dank möchte
    bereits seit über gerne sollte müssen muss`,
  pt: `de a o que e do da em um para é com não nao uma os no se na por mais as dos como mas ao ele das à seu
    sua ou quando muito nos já eu também só pelo pela até isso ela entre depois sem mesmo aos seus quem nas
    me esse eles você voce essa num nem suas meu minha numa pelos obrigado obrigada olá ola conta consigo
    preciso está estou tenho fazer ajuda porque ainda consegui funciona fatura pagamento bom dia boa tarde
    vocês estão isso aqui agora sempre nunca`,
  it: `di e il la che è per un in non una a sono mi ho lo ma si con da del della le i gli al come anche se ci
    questo questa nel nella più ti ne suo sua mio mia tutto quando perché perche cosa già ancora posso può
    grazie ciao buongiorno aiuto devo vorrei funziona fare essere stato sei io voi noi loro dei delle degli
    hanno abbiamo sempre niente nessun nessuna mai qui adesso ora fattura pagamento salve cordiali saluti
    riesco riuscito`,
  nl: `de het een en van ik te dat die in is niet op aan met voor zijn er maar om ook als dan bij of nog wat
    kan mijn je u uw we wij hij zij ze naar hebben heb heeft geen wel waarom hoe wanneer dit deze zo al door
    over uit graag bedankt dank hallo werkt kunnen moet wordt worden was waren alstublieft hier daar nu
    niets nooit altijd jullie onze ons hun factuur betaling goedemorgen groeten vriendelijke lukt`,
};
