// The wording of the privacy notice in each language it is offered in. One template
// (templates/pages/privacy.html.hbs) lays every language out the same way, with the same section
// ids; only these texts differ. Every fact arrives HTML-escaped (or as a ready link), so each
// text is HTML as it stands.
import type { PrivacyCategory } from '../privacy/types.ts';
import type { AuthMode, DeploymentSpec, LegalBasis } from '../spec/types.ts';

export const NOTICE_LANGUAGES = ['en', 'de', 'fr'] as const;
export type NoticeLanguage = (typeof NOTICE_LANGUAGES)[number];

/** The languages a stack offers its notice in: English first (at /privacy.html), then its translations. */
export function noticeLanguages(spec: Pick<DeploymentSpec, 'noticeTranslations'>): NoticeLanguage[] {
  return ['en', ...spec.noticeTranslations];
}

/** What the notice states about one deployment; strings are HTML-escaped already. */
export interface NoticeFacts {
  organization: string;
  domain: string;
  /** The data-protection contact as a link. */
  contact: string;
  /** Set for a sandbox: when it will be removed. */
  expiresAt?: string;
  auth: AuthMode;
  lobby: boolean;
  p2p: boolean;
  legalBasis: LegalBasis;
  retentionDays: number;
  /** The company the servers are rented from. */
  processor: string;
  region: string;
  location: string;
  /** The region is in an EEA state outside the EU (Iceland, Liechtenstein, Norway). */
  eeaOnly: boolean;
  /** Set when the region is outside the EU: what transfers there rely on. */
  adequacyBasis?: string;
  release: string;
}

export interface NoticeText {
  /** The language's name in itself, for the links between the versions. */
  name: string;
  title: string;
  intro: string;
  headings: Record<'controller' | 'data' | 'retention' | 'recipients' | 'settings' | 'rights' | 'terms' | 'help', string>;
  controller: string;
  data: string[];
  legalBasis: string;
  retention: string;
  recipients: string;
  rights: string;
  terms: string;
  help: string;
  generated: string;
  /** A category of the privacy profile, named as what it means for participants. */
  category(category: PrivacyCategory): string;
  settingCount(count: number): string;
}

/** Items of the browser's local storage the Jitsi web app keeps for this site (first-party only). */
const STORAGE_ITEMS = '<code>jitsiMeetId</code>, <code>callStatsUserName</code>';

function english(f: NoticeFacts): NoticeText {
  return {
    name: 'English',
    title: 'Privacy notice',
    intro: `How <b>${f.organization}</b> handles personal data in the video meetings at ${f.domain} (Art. 13 GDPR).${f.expiresAt ? ` This temporary service will be removed after ${f.expiresAt}.` : ''}`,
    headings: { controller: 'Who is responsible', data: 'What is processed, and why', retention: 'How long', recipients: 'Who receives data', settings: 'Privacy settings', rights: 'Your rights', terms: 'Terms of use', help: 'Help' },
    controller: `Controller: ${f.organization}. Data-protection contact: ${f.contact}`,
    data: [
      '<b>Signalling</b>: room, display name, chat and who takes part, in memory only during the meeting.',
      `<b>Audio and video</b>: encrypted in transit, never recorded; relayed by this service's servers${f.p2p ? ', or in calls of two sent directly between the two browsers, which then learn each other\'s IP address' : ', so participants never learn each other\'s IP address'}.`,
      ...(f.auth === 'anonymous' ? [] : ['<b>Hosts</b>: other participants can see the account address a host logged in with.']),
      `<b>IP address and browser details</b>: needed to connect you; kept in server logs for at most ${f.retentionDays} days.`,
      `<b>In your browser</b>, for this site only: your name, device choices, a random lasting identifier and a random name (${STORAGE_ITEMS}).`,
    ],
    legalBasis:
      f.legalBasis === 'public-task'
        ? 'Legal basis: the controller\'s tasks in the public interest, such as teaching and research, and a secure service for them (Art. 6(1)(e) GDPR).'
        : 'Legal basis: the controller\'s legitimate interest in meetings with its members and guests, and in a secure service (Art. 6(1)(f) GDPR).',
    retention: `Nothing of a meeting is kept after it ends. Server logs are deleted after ${f.retentionDays} days.`,
    recipients: `No third party receives meeting data. Processor: ${f.processor}, ${f.region} (${f.location}).${f.adequacyBasis ? ` This is outside the European Union; transfers rely on ${f.adequacyBasis}.` : f.eeaOnly ? ' Data stay in the European Economic Area, where the GDPR applies.' : ' Data stay in the European Union.'} Servers fetch only updates and certificates.`,
    rights: `Access, correction, erasure, restriction, portability and objection (Art. 15–21 GDPR): write to ${f.contact}. You may complain to a supervisory authority.`,
    terms: `For members of ${f.organization} and their guests. Record only with everyone's consent. Meetings may be ended to protect the service.`,
    help: `Open the link in a current browser, allow microphone and camera${f.lobby ? ', then wait in the lobby for a host' : ''}. You join muted. Questions: ${f.contact}`,
    generated: `jitsi-eu, Jitsi stable ${f.release}`,
    category: (c) =>
      ({
        'muted-entry': 'Muted entry',
        lobby: f.lobby ? 'Lobby in every room' : 'Lobby on request',
        'no-telemetry': 'No tracking',
        'no-third-party': 'No third parties',
        'data-minimisation': 'Less data',
        logging: 'Short logs',
        encryption: 'Encryption',
        exposure: 'Hardened servers',
      })[c],
    settingCount: (n) => `${n} setting${n === 1 ? '' : 's'}`,
  };
}

function german(f: NoticeFacts): NoticeText {
  return {
    name: 'Deutsch',
    title: 'Datenschutzhinweise',
    intro: `Wie <b>${f.organization}</b> personenbezogene Daten in den Videokonferenzen unter ${f.domain} verarbeitet (Art. 13 DSGVO).${f.expiresAt ? ` Dieser befristete Dienst wird nach ${f.expiresAt} entfernt.` : ''}`,
    headings: { controller: 'Verantwortlich', data: 'Was verarbeitet wird und wozu', retention: 'Wie lange', recipients: 'Wer Daten erhält', settings: 'Datenschutzeinstellungen', rights: 'Ihre Rechte', terms: 'Nutzungsbedingungen', help: 'Hilfe' },
    controller: `Verantwortlicher: ${f.organization}. Datenschutzkontakt: ${f.contact}`,
    data: [
      '<b>Signalisierung</b>: Raum, Anzeigename, Chat und wer teilnimmt, nur während der Konferenz im Arbeitsspeicher.',
      `<b>Ton und Bild</b>: verschlüsselt übertragen, nie aufgezeichnet; über die Server dieses Dienstes vermittelt${f.p2p ? ', bei Gesprächen zu zweit auch direkt zwischen den Browsern, die dann die IP-Adresse des anderen erfahren' : ', Teilnehmende erfahren nie die IP-Adressen der anderen'}.`,
      ...(f.auth === 'anonymous' ? [] : ['<b>Gastgebende</b>: andere Teilnehmende sehen die Kontoadresse, mit der sich Gastgebende angemeldet haben.']),
      `<b>IP-Adresse und Browserangaben</b>: nötig für die Verbindung; in Serverprotokollen höchstens ${f.retentionDays} Tage.`,
      `<b>In Ihrem Browser</b>, nur für diese Website: Name, Geräteauswahl, eine zufällige dauerhafte Kennung und ein zufälliger Name (${STORAGE_ITEMS}).`,
    ],
    legalBasis:
      f.legalBasis === 'public-task'
        ? 'Rechtsgrundlage: die Aufgaben des Verantwortlichen im öffentlichen Interesse, etwa Lehre und Forschung, und ein sicherer Dienst dafür (Art. 6 Abs. 1 lit. e DSGVO).'
        : 'Rechtsgrundlage: das berechtigte Interesse des Verantwortlichen an Konferenzen mit Mitgliedern und Gästen und an einem sicheren Dienst (Art. 6 Abs. 1 lit. f DSGVO).',
    retention: `Nach dem Ende einer Konferenz bleibt nichts von ihr erhalten. Serverprotokolle werden nach ${f.retentionDays} Tagen gelöscht.`,
    recipients: `Dritte erhalten keine Konferenzdaten. Auftragsverarbeiter: ${f.processor}, ${f.region} (${f.location}).${f.adequacyBasis ? ` Dies liegt außerhalb der Europäischen Union; die Übermittlung stützt sich auf ${f.adequacyBasis}.` : f.eeaOnly ? ' Die Daten bleiben im Europäischen Wirtschaftsraum, in dem die DSGVO gilt.' : ' Die Daten bleiben in der Europäischen Union.'} Die Server holen nur Updates und Zertifikate.`,
    rights: `Auskunft, Berichtigung, Löschung, Einschränkung, Übertragung und Widerspruch (Art. 15–21 DSGVO): an ${f.contact}. Beschwerden: bei einer Aufsichtsbehörde.`,
    terms: `Für Mitglieder von ${f.organization} und ihre Gäste. Aufzeichnen nur mit dem Einverständnis aller. Konferenzen können zum Schutz des Dienstes beendet werden.`,
    help: `Link in einem aktuellen Browser öffnen, Mikrofon und Kamera erlauben${f.lobby ? ', in der Lobby auf Gastgebende warten' : ''}. Sie treten stumm bei. Fragen: ${f.contact}`,
    generated: `jitsi-eu, Jitsi stable ${f.release}`,
    category: (c) =>
      ({
        'muted-entry': 'Stumm beitreten',
        lobby: f.lobby ? 'Lobby in jedem Raum' : 'Lobby auf Wunsch',
        'no-telemetry': 'Kein Tracking',
        'no-third-party': 'Keine Dritten',
        'data-minimisation': 'Weniger Daten',
        logging: 'Kurze Protokolle',
        encryption: 'Verschlüsselung',
        exposure: 'Gehärtete Server',
      })[c],
    settingCount: (n) => `${n} Einstellung${n === 1 ? '' : 'en'}`,
  };
}

function french(f: NoticeFacts): NoticeText {
  return {
    name: 'Français',
    title: 'Politique de confidentialité',
    intro: `Comment <b>${f.organization}</b> traite les données personnelles dans les visioconférences de ${f.domain} (art. 13 RGPD).${f.expiresAt ? ` Ce service temporaire sera supprimé après ${f.expiresAt}.` : ''}`,
    headings: { controller: 'Responsable', data: 'Données traitées et finalités', retention: 'Durée de conservation', recipients: 'Destinataires', settings: 'Réglages de confidentialité', rights: 'Vos droits', terms: 'Conditions d\'utilisation', help: 'Aide' },
    controller: `Responsable du traitement : ${f.organization}. Contact protection des données : ${f.contact}`,
    data: [
      '<b>Signalisation</b> : salle, nom d\'affichage, discussion et participants, en mémoire pendant la réunion seulement.',
      `<b>Audio et vidéo</b> : chiffrés en transit, jamais enregistrés ; relayés par les serveurs de ce service${f.p2p ? ', ou dans les appels à deux envoyés directement entre les navigateurs, qui apprennent alors l\'adresse IP de l\'autre' : ' : les participants n\'apprennent jamais l\'adresse IP des autres'}.`,
      ...(f.auth === 'anonymous' ? [] : ['<b>Hôtes</b> : les autres participants voient l\'adresse du compte avec lequel un hôte s\'est connecté.']),
      `<b>Adresse IP et informations du navigateur</b> : nécessaires à la connexion ; au plus ${f.retentionDays} jours dans les journaux des serveurs.`,
      `<b>Dans votre navigateur</b>, pour ce site seul : nom, choix d\'appareils, un identifiant aléatoire durable et un nom aléatoire (${STORAGE_ITEMS}).`,
    ],
    legalBasis:
      f.legalBasis === 'public-task'
        ? 'Base juridique : les missions d\'intérêt public du responsable, comme l\'enseignement et la recherche, et un service sûr pour elles (art. 6, par. 1, e) RGPD).'
        : 'Base juridique : l\'intérêt légitime du responsable à tenir des réunions avec ses membres et invités et à un service sûr (art. 6, par. 1, f) RGPD).',
    retention: `Rien d\'une réunion n\'est conservé après sa fin. Les journaux des serveurs sont supprimés après ${f.retentionDays} jours.`,
    recipients: `Aucun tiers ne reçoit de données de réunion. Sous-traitant : ${f.processor}, ${f.region} (${f.location}).${f.adequacyBasis ? ` C\'est hors de l\'Union européenne ; les transferts reposent sur ${f.adequacyBasis}.` : f.eeaOnly ? ' Les données restent dans l\'Espace économique européen, où le RGPD s\'applique.' : ' Les données restent dans l\'Union européenne.'} Les serveurs ne récupèrent que mises à jour et certificats.`,
    rights: `Accès, rectification, effacement, limitation, portabilité et opposition (art. 15 à 21 RGPD) : écrivez à ${f.contact}. Réclamations : auprès d\'une autorité de contrôle.`,
    terms: `Pour les membres de ${f.organization} et leurs invités. N\'enregistrer qu\'avec l\'accord de tous. Une réunion peut être arrêtée pour protéger le service.`,
    help: `Ouvrez le lien dans un navigateur récent, autorisez micro et caméra${f.lobby ? ', attendez un hôte en salle d\'attente' : ''}. Vous entrez en sourdine. Questions : ${f.contact}`,
    generated: `jitsi-eu, Jitsi stable ${f.release}`,
    category: (c) =>
      ({
        'muted-entry': 'Entrée en sourdine',
        lobby: f.lobby ? 'Salle d\'attente partout' : 'Salle d\'attente sur demande',
        'no-telemetry': 'Aucun pistage',
        'no-third-party': 'Aucun tiers',
        'data-minimisation': 'Moins de données',
        logging: 'Journaux courts',
        encryption: 'Chiffrement',
        exposure: 'Serveurs renforcés',
      })[c],
    settingCount: (n) => `${n} réglage${n === 1 ? '' : 's'}`,
  };
}

export const NOTICE_TEXT: Record<NoticeLanguage, (facts: NoticeFacts) => NoticeText> = { en: english, de: german, fr: french };
