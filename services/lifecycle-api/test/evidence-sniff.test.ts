import fc from 'fast-check';
import t from 'tap';
import { DOC, DOCX, JPEG, KNOWN_TYPES, mediaTypeOf, PDF, PNG, PPTX, sniff, XLS, XLSX, zipEntryNames } from '../src/evidence/sniff.js';
import { contentDisposition, filenameOf } from '../src/routes/evidence-routes.js';
import { docx, pdf, png, xlsx, zip } from '../../../test/support/files.js';

t.test('each known type is recognised from its bytes', async (t) => {
  t.same(sniff(pdf()), [PDF]);
  t.same(sniff(png()), [PNG]);
  t.same(sniff(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10])), [JPEG]);
  t.same(sniff(docx()), [DOCX]);
  t.same(sniff(xlsx()), [XLSX]);
  t.same(sniff(zip({ '[Content_Types].xml': '<Types/>', 'ppt/presentation.xml': '<p/>' })), [PPTX]);
  t.same(sniff(Buffer.from('d0cf11e0a1b11ae1000000000000', 'hex')), [DOC, XLS], 'a Compound File is Word or Excel: the declared type decides');
  t.same(sniff(zip({ 'a.txt': 'x' })), [], 'a ZIP that is no Office document');
  t.same(sniff(zip({ 'word/document.xml': '<w/>' })), [], 'no [Content_Types].xml: not OOXML');
  t.same(sniff(Buffer.from('hello')), []);
  t.same(sniff(Buffer.alloc(0)), []);
  t.same(zipEntryNames(docx()), ['[Content_Types].xml', 'word/document.xml']);
  t.equal(KNOWN_TYPES.length, 8);
  t.equal(mediaTypeOf('Application/PDF; charset=binary'), PDF);
});

t.test('any bytes, truncated ZIPs included, are answered without throwing', async (t) => {
  const office = docx();
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat({ max: office.length }), (bytes, cut) => {
      const answers = [sniff(Buffer.from(bytes)), sniff(office.subarray(0, cut)), sniff(Buffer.concat([office.subarray(0, 4), Buffer.from(bytes)]))];
      return answers.every((a) => a.every((type) => (KNOWN_TYPES as readonly string[]).includes(type)));
    }),
    { numRuns: 500, seed: 19 },
  );
  t.pass('no throw');
});

t.test('Content-Disposition: names round-trip, Chinese included (RFC 6266, RFC 8187)', async (t) => {
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }), (name) => {
      const header = contentDisposition(name);
      return /^attachment; filename="[\x20-\x7e]*"; filename\*=UTF-8''[A-Za-z0-9!#$&+.^_`|~%-]*$/.test(header) && filenameOf(header) === name;
    }),
    { numRuns: 300, seed: 6266 },
  );
  t.equal(filenameOf('attachment; filename="plain.pdf"'), 'plain.pdf');
  t.equal(filenameOf(`attachment; filename="fallback.pdf"; filename*=UTF-8''${encodeURIComponent('验收报告.pdf')}`), '验收报告.pdf');
  t.equal(filenameOf(undefined), undefined);
});
