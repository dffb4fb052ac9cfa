import { describe, expect, it } from 'vitest';
import { DEFAULT_SUPPORTED_LANGUAGES, detectLanguage, LanguageResultSchema } from './language.js';
import { starterExamples } from './taxonomy.js';

describe('detectLanguage: English', () => {
  it('detects a support question as English and supported', () => {
    const r = detectLanguage('How do I export CSV from the dashboard?');
    expect(r.language).toBe('en');
    expect(r.supported).toBe(true);
    expect(r.confidence).toBeGreaterThan(0.6);
    expect(() => LanguageResultSchema.parse(r)).not.toThrow();
  });

  it('is confident on a longer English text', () => {
    const r = detectLanguage(
      'Hi there, we have been trying to set up the Slack integration for our support team all morning, but the ' +
        'notifications keep going to the wrong channel. Could you take a look?',
    );
    expect(r.language).toBe('en');
    expect(r.confidence).toBeGreaterThan(0.85);
    expect(r.scores.en).toBeGreaterThan(0.5);
  });

  it.each([
    'Webhook 500',
    'SSO SAML config',
    'Dashboard export CSV API webhook Zapier Salesforce',
    'Error: TypeError at https://app.example.com/api/v2/tickets?id=123',
    'see `const x = foo.bar(baz)` in src/app/index.ts',
    'la la la',
    'Danke',
    'Invoice #4432 for Acme GmbH',
  ])('keeps short or product-word text %j English with lower confidence', (text) => {
    const r = detectLanguage(text);
    expect(r.language).toBe('en');
    expect(r.confidence).toBeLessThan(0.8);
  });

  it('does not let a pasted log or URL change the language', () => {
    const r = detectLanguage(
      'The export fails with this error:\n```\nError: ECONNRESET at Socket.onread (node:net:1234)\n  at de_la_que ' +
        'el en\n```\nsee https://example.com/es/la/de/que/el',
    );
    expect(r.language).toBe('en');
  });

  it('detects every English starter example (short, typos, product words) as English', () => {
    const wrong = starterExamples()
      .map((e) => ({ text: e.text, language: detectLanguage(e.text).language }))
      .filter((r) => r.language !== 'en');
    expect(wrong).toEqual([]);
  });

  it('gives empty or symbol-only text English with very low confidence', () => {
    expect(detectLanguage('')).toMatchObject({ language: 'en', method: 'default' });
    expect(detectLanguage('!!! ??? 404').confidence).toBeLessThanOrEqual(0.1);
  });
});

describe('detectLanguage: other Latin-script languages', () => {
  it.each([
    ['de', 'Hallo, ich kann mich seit gestern nicht mehr in mein Konto einloggen. Bitte helfen Sie mir.'],
    ['es', 'Hola, no puedo iniciar sesión en mi cuenta desde ayer. ¿Me pueden ayudar?'],
    ['fr', "Bonjour, je n'arrive pas à me connecter à mon compte depuis ce matin."],
    ['pt', 'Olá, não consigo acessar minha conta desde ontem, vocês podem me ajudar?'],
    ['it', 'Ciao, non riesco ad accedere al mio account da ieri, potete aiutarmi?'],
    ['nl', 'Hallo, ik kan sinds gisteren niet meer inloggen op mijn account. Kunnen jullie helpen?'],
  ])('detects %s and marks it unsupported by default', (lang, text) => {
    const r = detectLanguage(text);
    expect(r.language).toBe(lang);
    expect(r.supported).toBe(false);
    expect(r.confidence).toBeGreaterThan(0.6);
    expect(r.scores[lang]).toBe(Math.max(...Object.values(r.scores)));
  });

  it('detects a German ticket with product words mixed in', () => {
    const r = detectLanguage('Der CSV Export im Dashboard funktioniert nicht, die Datei ist leer. Was kann ich tun?');
    expect(r.language).toBe('de');
  });

  it('detects short phrases with clear stop words', () => {
    expect(detectLanguage('Hola gracias').language).toBe('es');
    expect(detectLanguage('Merci beaucoup pour votre aide').language).toBe('fr');
  });

  it('honours the supported list, including regional codes', () => {
    const text = 'Hola, no puedo iniciar sesión en mi cuenta desde ayer.';
    expect(detectLanguage(text, { supported: ['en', 'es'] }).supported).toBe(true);
    expect(detectLanguage(text, { supported: ['es-MX'] }).supported).toBe(true);
    expect(detectLanguage('How do I reset my password?', { supported: ['de'] }).supported).toBe(false);
    expect(DEFAULT_SUPPORTED_LANGUAGES).toEqual(['en']);
  });

  it('recognises other Latin-script languages by their letters', () => {
    expect(detectLanguage('Nie mogę zalogować się do konta, proszę o pomoc').language).toBe('pl');
    expect(detectLanguage('Hesabıma giriş yapamıyorum, şifremi unuttum').language).toBe('tr');
  });
});

describe('detectLanguage: scripts', () => {
  it.each([
    ['ru', 'Здравствуйте, не могу войти в аккаунт'],
    ['uk', 'Доброго дня, не можу увійти в обліковий запис, підкажіть будь ласка'],
    ['zh', '我无法登录我的账户'],
    ['ja', 'ログインできません。パスワードを忘れました'],
    ['ko', '계정에 로그인할 수 없습니다'],
    ['ar', 'لا أستطيع تسجيل الدخول إلى حسابي'],
    ['he', 'אני לא מצליח להתחבר לחשבון שלי'],
    ['el', 'Δεν μπορώ να συνδεθώ στον λογαριασμό μου'],
    ['hi', 'मैं अपने खाते में लॉग इन नहीं कर पा रहा हूँ'],
  ])('maps the script to %s, not English', (lang, text) => {
    const r = detectLanguage(text);
    expect(r.language).toBe(lang);
    expect(r.method).toBe('script');
    expect(r.supported).toBe(false);
  });

  it('keeps an English ticket with a Cyrillic name English', () => {
    expect(
      detectLanguage('Hi, my name is Иван Петров and I cannot log in to the dashboard since this morning').language,
    ).toBe('en');
  });

  it('treats a Russian ticket with an English product name as Russian', () => {
    expect(detectLanguage('Не работает экспорт CSV в Dashboard, файл пустой').language).toBe('ru');
  });
});
