import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { baseSubject, cleanEmailHtml, messageIds, parseEmail, replySubject, stripReply } from './parse.js';

const SCRIPT = /<\s*script|\son[a-z]+\s*=|javascript:/i;

/** Fragments hostile mail is made of: active HTML, quote markers, MIME and header syntax, odd bytes. */
const hostile = fc.constantFrom(
  '<script>alert(1)</script>',
  '<scr<script>ipt>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '<a href="javascript:alert(1)">x</a>',
  '<svg onload=alert(1)>',
  '<iframe src="//evil">',
  '<style>*{}</style>',
  '<blockquote>',
  '</blockquote>',
  '<div class="gmail_quote">',
  '<!--',
  '-->',
  '<![CDATA[',
  '>',
  '> quoted',
  '\n-- \n',
  'On Mon wrote:',
  '\r\n',
  '\u0000',
  '\u202e',
  '=?utf-8?B?PHNjcmlwdD4=?=',
  'Content-Type: text/html\r\n',
  'Content-Transfer-Encoding: base64\r\n',
  '--boundary\r\n',
  'Message-ID: <a@b>\r\n',
  'References: <<<>>>\r\n',
  '=3Cscript=3E',
);
const text = fc
  .array(fc.oneof(hostile, fc.string(), fc.string({ unit: 'binary' })), { maxLength: 30 })
  .map((parts) => parts.join(''));

describe('email parsing on hostile input', () => {
  it('stripReply never throws and never returns more than it was given', () => {
    fc.assert(
      fc.property(text, (t) => {
        const out = stripReply(t);
        expect(typeof out).toBe('string');
        expect(out.length).toBeLessThanOrEqual(t.replace(/\r\n?/g, '\n').length);
      }),
      { numRuns: 500 },
    );
  });

  it('cleanEmailHtml never throws and never yields active content', () => {
    fc.assert(
      fc.property(text, (html) => {
        const out = cleanEmailHtml(html);
        expect(out).not.toMatch(SCRIPT);
      }),
      { numRuns: 500 },
    );
  });

  it('parseEmail never throws on raw bytes, and its HTML never carries scripts', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          text,
          fc.uint8Array({ maxLength: 2000 }).map((b) => Buffer.from(b)),
        ),
        async (raw) => {
          const mail = await parseEmail(raw);
          expect(typeof mail.text).toBe('string');
          if (mail.html) expect(mail.html).not.toMatch(SCRIPT);
          for (const id of mail.threadIds) expect(id).toMatch(/^<[^<>\s]+>$/);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('parseEmail keeps scripts out of the HTML of well-formed hostile mail', async () => {
    await fc.assert(
      fc.asyncProperty(text, text, async (subject, body) => {
        const raw = [
          'From: Eve <eve@evil.test>',
          'To: support@acme.test',
          `Subject: ${subject.replace(/[\r\n]/g, ' ')}`,
          'Message-ID: <m1@evil.test>',
          'MIME-Version: 1.0',
          'Content-Type: text/html; charset=utf-8',
          '',
          `<p>${body}</p><script>alert(document.cookie)</script><img src=x onerror="alert(1)">`,
        ].join('\r\n');
        const mail = await parseEmail(raw);
        expect(mail.html ?? '').not.toMatch(SCRIPT);
        expect(mail.from?.address).toBe('eve@evil.test');
      }),
      { numRuns: 200 },
    );
  });
});

describe('stripReply', () => {
  it('keeps the new text and drops the quoted original and the signature', () => {
    expect(
      stripReply(
        'Thanks, that worked!\n\nOn Tue, 2 Jun 2026 at 10:00, Acme Support <support@acme.test> wrote:\n> Try ' +
          'again\n> please',
      ),
    ).toBe('Thanks, that worked!');
    expect(
      stripReply('Still broken.\n\nOn Tue, 2 Jun 2026 at 10:00, Acme Support <support@acme.test>\nwrote:\n> Try again'),
    ).toBe('Still broken.');
    expect(stripReply('Yes.\n\n-----Original Message-----\nFrom: Acme\nSent: Tuesday\n\nTry again')).toBe('Yes.');
    expect(
      stripReply(
        'Yes.\n\nFrom: Acme Support <support@acme.test>\nSent: Tuesday, June 2, 2026 10:00\nTo: Kim\nSubject: Re: ' +
          'x\n\nTry again',
      ),
    ).toBe('Yes.');
    expect(stripReply('Here is the log.\n-- \nKim Lee\nCTO')).toBe('Here is the log.');
    expect(stripReply('Works now\n\nSent from my iPhone')).toBe('Works now');
    expect(stripReply('Merci !\n\nLe mar. 2 juin 2026 à 10:00, Acme <support@acme.test> a écrit :\n> Essayez')).toBe(
      'Merci !',
    );
    expect(stripReply('> you said A\nI say B\n> you said C\nI say D')).toBe('I say B\nI say D');
  });

  it('falls back to the whole text when nothing new is left', () => {
    expect(stripReply('> only a quote')).toBe('> only a quote');
  });
});

describe('threading helpers', () => {
  it('reads Message-IDs from header values', () => {
    expect(messageIds('<a@x> <b@y>\r\n <c@z>')).toEqual(['<a@x>', '<b@y>', '<c@z>']);
    expect(messageIds(['<a@x>', '<a@x>'])).toEqual(['<a@x>']);
    expect(messageIds('bare@id')).toEqual(['<bare@id>']);
    expect(messageIds(undefined)).toEqual([]);
  });

  it('prefixes replies once and strips prefixes for new tickets', () => {
    expect(replySubject('Export fails')).toBe('Re: Export fails');
    expect(replySubject('RE: Export fails')).toBe('RE: Export fails');
    expect(baseSubject('Re: Fwd: AW: Export fails')).toBe('Export fails');
  });

  it('orders In-Reply-To first, then References newest first', async () => {
    const mail = await parseEmail(
      'From: a@b.test\r\nTo: s@acme.test\r\nSubject: Re: x\r\nIn-Reply-To: <3@x>\r\nReferences: <1@x> <2@x> ' +
        '<3@x>\r\n\r\nhi',
    );
    expect(mail.threadIds).toEqual(['<3@x>', '<2@x>', '<1@x>']);
  });
});
