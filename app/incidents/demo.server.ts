import { inArray } from 'drizzle-orm'
import { incidents, users } from '../../db/schema/index.ts'
import type { ActingContext, Services } from '../lib/context.server.ts'
import { dateToLocalDateTime, DEFAULT_TIME_ZONE } from '../lib/dates.ts'
import { DomainError } from '../lib/errors.ts'
import { log } from '../lib/log.server.ts'
import type { Actor, TlpLabel } from '../policy/actor.ts'
import { loadActor } from '../policy/actor.server.ts'
import { addAttachment } from './attachments.server.ts'
import { acknowledgeCoordinationRequest, answerCoordinationRequest, issueCoordinationRequest } from './coordination.server.ts'
import { acceptEscalation, declineEscalation, escalateIncident, requestMoreInformation } from './escalation.server.ts'
import { addComment, assignIncident, createIncident, transitionIncident } from './incidents.server.ts'
import { type IncidentFormValues } from './schemas.ts'
import type { IncidentCategory, Severity } from './taxonomy.ts'
import type { ESCALATION_URGENCIES, TRIAGE_CLASSIFICATIONS } from './triage.ts'

// Demo only: a fresh installation in demo or development mode gets a dozen incidents in every
// state of the life cycle, so each demo account has something to look at. Every incident is
// told as a story of acts by the demo accounts, through the same domain functions the pages
// call: the timelines, audit entries, grants, deadlines and notification events are the real
// ones, and the policy decides each act exactly as it would for a person. Nothing is inserted
// behind the domain's back.
//
// The stories happened "some days ago": each act runs on a clock set back to its hour, through
// the injectable `Services.now` (the seam the tests use to move time), so the legal deadlines
// of Circular 20/2017 come out met, pending or overdue as the story says. Rows the database
// stamps itself (the audit log, notification events) keep the real time of seeding.
//
// Systems use .gov.vn-style names and the documentation address ranges (RFC 5737:
// 203.0.113.0/24, 198.51.100.0/24); hostile domains use the reserved .example (RFC 2606).

const HOUR = 3600_000

/** The demo accounts who act in the stories (db/seed.ts, DEMO_ACCOUNTS). */
const DEMO_PEOPLE = {
  analyst: 'analyst@vncert.demo',
  lead: 'lead@namdinh.demo',
  namDinhAdmin: 'admin@namdinh.demo',
  haiPhong: 'responder@haiphong.demo',
  quangNinh: 'reporter@quangninh.demo',
  bacNinh: 'reporter@bacninh.demo',
} as const
type Person = keyof typeof DEMO_PEOPLE

type OrganisationSlug = 'so-tttt-nam-dinh' | 'so-tttt-hai-phong'

/** The stories, named after the state each one shows. */
export const DEMO_STORIES = [
  'draft',
  'newOverdue',
  'newRed',
  'acknowledged',
  'investigating',
  'escalated',
  'acceptedSerious',
  'infoRequested',
  'declined',
  'contained',
  'resolved',
  'closed',
] as const
export type DemoStory = (typeof DEMO_STORIES)[number]

type FormField = keyof IncidentFormValues
/** The initial report (Form 03) as its form sends it; contact name and email come from the filer. */
type Report = Partial<Record<Exclude<FormField, 'detectedAt' | 'recipientIds' | 'contactName' | 'contactEmail'>, string | string[]>> & {
  title: string
  category: IncidentCategory
  severity: Severity
  tlp: TlpLabel
}

type Act =
  | { do: 'acknowledge' | 'investigate' | 'contain' | 'resolve' }
  | { do: 'close'; closureWhatHappened: string; closureResolution: string; closurePrevention: string }
  | { do: 'comment'; body: string; internal?: true }
  | { do: 'assign'; user: Person; organisation?: OrganisationSlug }
  | { do: 'attach'; fileName: string; content: (detectedAt: Date) => string }
  | { do: 'escalate'; urgency: (typeof ESCALATION_URGENCIES)[number]; reason: string }
  | { do: 'accept'; classification: (typeof TRIAGE_CLASSIFICATIONS)[number]; note: string }
  | { do: 'decline'; reason: string }
  | { do: 'askForInformation'; question: string }
  | { do: 'requestCoordination'; organisation: OrganisationSlug; request: string; dueInHours: number }
  | { do: 'acknowledgeCoordination' }
  | { do: 'answerCoordination'; answer: string }

/** One act: who, and how many hours before seeding. */
type Step = Act & { by: Person; hoursAgo: number }

interface Story {
  key: DemoStory
  by: Person
  detectedHoursAgo: number
  filedHoursAgo: number
  /** Saved as a draft, never submitted. */
  draft?: true
  /** TLP:RED names people. */
  recipients?: Person[]
  report: Report
  steps: Step[]
}

/** A minute-precision wall-clock time in Vietnam, as the forms take it. */
const localTime = (at: Date) => dateToLocalDateTime(at, DEFAULT_TIME_ZONE)

const STORIES: Story[] = [
  {
    key: 'draft',
    by: 'quangNinh',
    detectedHoursAgo: 22,
    filedHoursAgo: 20,
    draft: true,
    report: {
      title: 'Lưu lượng quét cổng bất thường vào Trung tâm dữ liệu tỉnh',
      description:
        'Tường lửa ghi nhận hàng nghìn kết nối dò cổng (22, 3389, 8080) từ dải 198.51.100.0/24 vào các máy chủ của Trung tâm dữ liệu tỉnh trong đêm. ' +
        'Chưa thấy dấu hiệu xâm nhập thành công; đang tổng hợp nhật ký tường lửa trước khi gửi báo cáo.',
      category: 'other',
      severity: 'low',
      tlp: 'GREEN',
      pap: 'GREEN',
      detectionMethods: ['ids'],
      contactTitle: 'Chuyên viên Phòng Công nghệ thông tin',
      contactPhone: '0203 3835 411',
      systemName: 'Trung tâm dữ liệu tỉnh Quảng Ninh',
      systemPublicIps: '203.0.113.30',
    },
    steps: [],
  },
  {
    key: 'closed',
    by: 'lead',
    detectedHoursAgo: 290,
    filedHoursAgo: 288,
    report: {
      title: 'Máy chủ GIS quản lý đất đai bị cài mã độc đào tiền ảo',
      description:
        'CPU của máy chủ gis.namdinh.gov.vn thường xuyên ở mức 100%. Phát hiện tiến trình lạ chạy bằng tài khoản dịch vụ GeoServer, ' +
        'kết nối liên tục tới pool đào tiền ảo 198.51.100.99:3333. Nghi bị khai thác lỗ hổng thực thi mã từ xa của GeoServer chưa cập nhật.',
      category: 'malware',
      severity: 'medium',
      tlp: 'CLEAR',
      pap: 'CLEAR',
      handled: 'on',
      detectionMethods: ['logs'],
      detectionDetail: 'Cảnh báo tải CPU của hệ thống giám sát tập trung.',
      alreadyNotified: ['national_cert'],
      contactTitle: 'Phó Trưởng phòng Công nghệ thông tin',
      contactPhone: '0228 3849 256',
      systemName: 'Hệ thống thông tin địa lý (GIS) quản lý đất đai tỉnh Nam Định',
      systemDomains: 'gis.namdinh.gov.vn',
      systemPublicIps: '203.0.113.66',
      systemLevel: '2',
      systemOwner: 'Sở Tài nguyên và Môi trường tỉnh Nam Định',
      systemOperator: 'Sở Thông tin và Truyền thông Nam Định',
      environmentOs: 'Ubuntu Server 20.04',
      environmentServices: 'GeoServer, PostgreSQL/PostGIS, Nginx',
    },
    steps: [
      { by: 'lead', hoursAgo: 287, do: 'investigate' },
      { by: 'lead', hoursAgo: 280, do: 'contain' },
      { by: 'lead', hoursAgo: 240, do: 'resolve' },
      {
        by: 'lead',
        hoursAgo: 200,
        do: 'close',
        closureWhatHappened:
          'Tin tặc khai thác lỗ hổng thực thi mã từ xa của GeoServer (phiên bản chưa cập nhật) trên máy chủ gis.namdinh.gov.vn để cài chương trình đào tiền ảo, ' +
          'kết nối tới 198.51.100.99:3333. Không phát hiện truy cập trái phép vào dữ liệu đất đai.',
        closureResolution:
          'Cô lập máy chủ; gỡ bỏ tiến trình và tác vụ định kỳ do tin tặc tạo; cài lại hệ điều hành từ bản sạch và khôi phục dữ liệu từ bản sao lưu đã kiểm tra; ' +
          'cập nhật GeoServer lên phiên bản mới nhất; chặn địa chỉ 198.51.100.99 trên tường lửa.',
        closurePrevention:
          'Rà soát lỗ hổng các máy chủ ứng dụng GIS hằng tháng; chỉ cho phép truy cập giao diện quản trị GeoServer từ mạng nội bộ; ' +
          'giám sát tải CPU bất thường qua hệ thống giám sát tập trung; chia sẻ chỉ dấu tấn công trong mạng lưới.',
      },
    ],
  },
  {
    key: 'resolved',
    by: 'haiPhong',
    detectedHoursAgo: 150,
    filedHoursAgo: 148,
    report: {
      title: 'Dữ liệu trên máy chủ sao lưu của Trung tâm dữ liệu thành phố bị xóa',
      description:
        'Các bản sao lưu 30 ngày gần nhất trên máy chủ sao lưu bị xóa lúc 2 giờ sáng bằng một tài khoản quản trị hợp lệ; nhật ký hệ thống bị xóa một phần. ' +
        'Dữ liệu nghiệp vụ đang chạy chưa bị ảnh hưởng. Tài khoản quản trị nghi bị lộ mật khẩu.',
      category: 'destruction',
      severity: 'high',
      tlp: 'AMBER',
      pap: 'AMBER',
      handled: 'on',
      detectionMethods: ['logs'],
      contactTitle: 'Chuyên viên Trung tâm Thông tin và Truyền thông',
      contactPhone: '0225 3842 618',
      systemName: 'Hệ thống sao lưu của Trung tâm dữ liệu thành phố Hải Phòng',
      systemPublicIps: '198.51.100.47',
      systemLevel: '3',
      systemOwner: 'Ủy ban nhân dân thành phố Hải Phòng',
      systemOperator: 'Sở Thông tin và Truyền thông Hải Phòng',
    },
    steps: [
      { by: 'haiPhong', hoursAgo: 147, do: 'investigate' },
      { by: 'haiPhong', hoursAgo: 121, do: 'comment', body: 'Đã thu hồi tài khoản quản trị bị lộ, đổi toàn bộ mật khẩu quản trị và tách máy chủ sao lưu khỏi mạng quản trị chung.' },
      { by: 'haiPhong', hoursAgo: 120, do: 'contain' },
      { by: 'haiPhong', hoursAgo: 46, do: 'resolve' },
    ],
  },
  {
    key: 'acceptedSerious',
    by: 'quangNinh',
    detectedHoursAgo: 98,
    filedHoursAgo: 97,
    report: {
      title: 'Mã độc mã hóa dữ liệu tấn công Hệ thống thông tin giải quyết thủ tục hành chính tỉnh',
      description:
        'Rạng sáng, các máy chủ cơ sở dữ liệu của hệ thống một cửa điện tử bị mã hóa, tệp bị đổi phần mở rộng và có thư đòi tiền chuộc. ' +
        'Hệ thống ngừng phục vụ trên toàn tỉnh. Nghi tin tặc xâm nhập qua thiết bị VPN chưa vá lỗi (kết nối lạ từ 203.0.113.77).',
      category: 'ransomware',
      severity: 'critical',
      tlp: 'AMBER',
      pap: 'AMBER',
      detectionMethods: ['notified', 'logs'],
      detectionDetail: 'Cán bộ bộ phận một cửa báo không truy cập được hệ thống lúc 7 giờ.',
      alreadyNotified: ['responsible_member', 'national_cert'],
      seriousHarms: ['interruption', 'unrecoverableLoss'],
      beyondOwnerCapacity: 'on',
      contactTitle: 'Chuyên viên Phòng Công nghệ thông tin',
      contactPhone: '0203 3835 411',
      systemName: 'Hệ thống thông tin giải quyết thủ tục hành chính tỉnh Quảng Ninh',
      systemDomains: 'motcua.quangninh.gov.vn',
      systemPublicIps: ['203.0.113.25', '203.0.113.26'],
      systemLevel: '4',
      systemOwner: 'Văn phòng Ủy ban nhân dân tỉnh Quảng Ninh',
      systemOperator: 'Trung tâm Phục vụ hành chính công tỉnh',
      systemIsp: 'VNPT Quảng Ninh',
      environmentOs: 'Windows Server 2016, Ubuntu Server 18.04',
      environmentServices: 'Microsoft SQL Server, IIS, cổng VPN SSL',
      environmentControls: 'Tường lửa biên, phần mềm diệt virus trên máy chủ; chưa có EDR.',
      supportRequested: 'Đề nghị VNCERT/CC hỗ trợ phân tích mẫu mã độc, xác định đường xâm nhập và khôi phục dữ liệu.',
    },
    steps: [
      { by: 'lead', hoursAgo: 96, do: 'acknowledge' },
      {
        by: 'lead',
        hoursAgo: 95.5,
        do: 'escalate',
        urgency: 'immediate',
        reason: 'Hệ thống cấp độ 4 ngừng hoạt động trên toàn tỉnh, dữ liệu bị mã hóa; vượt quá khả năng xử lý của Sở và của cụm.',
      },
      {
        by: 'analyst',
        hoursAgo: 94,
        do: 'accept',
        classification: 'serious',
        note: 'Sự cố nghiêm trọng theo Quyết định 05/2017/QĐ-TTg. VNCERT/CC cử cán bộ hỗ trợ trực tiếp; đề nghị giữ nguyên hiện trạng các máy chủ bị mã hóa.',
      },
      { by: 'analyst', hoursAgo: 93.5, do: 'investigate' },
      {
        by: 'analyst',
        hoursAgo: 93,
        do: 'requestCoordination',
        organisation: 'so-tttt-hai-phong',
        dueInHours: 48,
        request:
          'Đề nghị Sở TT&TT Hải Phòng rà soát các thiết bị VPN SSL cùng dòng sản phẩm đang vận hành, chặn địa chỉ 203.0.113.77 ' +
          'và báo cáo kết quả rà soát, kể cả dấu hiệu kết nối từ địa chỉ này trong 30 ngày gần nhất.',
      },
      { by: 'haiPhong', hoursAgo: 90, do: 'acknowledgeCoordination' },
      {
        by: 'haiPhong',
        hoursAgo: 75,
        do: 'answerCoordination',
        answer:
          'Đã rà soát 4 thiết bị VPN SSL cùng dòng; 1 thiết bị chưa vá đã được cập nhật bản vá. Đã chặn 203.0.113.77 trên tường lửa biên. ' +
          'Không ghi nhận kết nối từ địa chỉ này trong 30 ngày qua.',
      },
      {
        by: 'analyst',
        hoursAgo: 72,
        do: 'comment',
        body: 'Đã xác định đường xâm nhập qua lỗ hổng của thiết bị VPN. Đang khôi phục dữ liệu từ bản sao lưu ngoại tuyến; dự kiến hệ thống hoạt động lại trong 48 giờ.',
      },
    ],
  },
  {
    key: 'infoRequested',
    by: 'bacNinh',
    detectedHoursAgo: 80,
    filedHoursAgo: 76,
    report: {
      title: 'Trang tuyển sinh bị chèn mã độc và liên kết quảng cáo cờ bạc',
      description:
        'Trang tuyensinh.bacninh.gov.vn bị chèn mã JavaScript chuyển hướng người dùng điện thoại tới trang cờ bạc và tải về tệp APK lạ; ' +
        'đồng thời trang bị tấn công từ chối dịch vụ mỗi khi đăng thông báo tuyển sinh. Đơn vị vận hành là nhà thầu, Sở chưa có quyền truy cập máy chủ.',
      category: 'combined',
      severity: 'medium',
      tlp: 'AMBER',
      pap: 'AMBER',
      detectionMethods: ['notified'],
      detectionDetail: 'Phụ huynh học sinh phản ánh qua đường dây nóng.',
      beyondOwnerCapacity: 'on',
      contactTitle: 'Chuyên viên Phòng Công nghệ thông tin',
      contactPhone: '0222 3822 154',
      systemName: 'Trang thông tin tuyển sinh tỉnh Bắc Ninh',
      systemDomains: 'tuyensinh.bacninh.gov.vn',
      systemPublicIps: '198.51.100.31',
      systemLevel: '2',
      systemOperator: 'Nhà thầu vận hành theo hợp đồng thuê dịch vụ',
      supportRequested: 'Đề nghị hỗ trợ xác định nguồn mã độc và yêu cầu nhà thầu phối hợp.',
    },
    steps: [
      { by: 'bacNinh', hoursAgo: 75, do: 'escalate', urgency: 'normal', reason: 'Sở không có quyền truy cập máy chủ do nhà thầu vận hành; cần VNCERT/CC hỗ trợ làm việc với nhà thầu.' },
      { by: 'analyst', hoursAgo: 74, do: 'acknowledge' },
      {
        by: 'analyst',
        hoursAgo: 50,
        do: 'askForInformation',
        question:
          'Đề nghị Sở cung cấp: (1) nhật ký truy cập web 7 ngày gần nhất; (2) tệp APK thu được hoặc mã băm SHA-256 của tệp; (3) đầu mối kỹ thuật của nhà thầu vận hành.',
      },
    ],
  },
  {
    key: 'newOverdue',
    by: 'bacNinh',
    detectedHoursAgo: 74,
    filedHoursAgo: 68,
    report: {
      title: 'Thư điện tử giả mạo Sở TT&TT Bắc Ninh yêu cầu cán bộ xác thực lại tài khoản',
      description:
        'Nhiều cán bộ cấp xã nhận thư mạo danh Sở, gửi từ máy chủ 198.51.100.77, chứa đường dẫn tới trang đăng nhập giả mail-bacninh-gov.example. ' +
        'Ít nhất 3 tài khoản đã nhập mật khẩu; đã yêu cầu các tài khoản này đổi mật khẩu.',
      category: 'phishing',
      severity: 'medium',
      tlp: 'GREEN',
      pap: 'GREEN',
      handled: 'on',
      detectionMethods: ['notified'],
      alreadyNotified: ['isp'],
      contactTitle: 'Chuyên viên Phòng Công nghệ thông tin',
      contactPhone: '0222 3822 154',
      systemName: 'Hệ thống thư điện tử công vụ tỉnh Bắc Ninh',
      systemDomains: 'mail.bacninh.gov.vn',
      systemPublicIps: '198.51.100.12',
      systemLevel: '3',
    },
    steps: [],
  },
  {
    key: 'declined',
    by: 'haiPhong',
    detectedHoursAgo: 60,
    filedHoursAgo: 58,
    report: {
      title: 'Dò mật khẩu hàng loạt vào cổng VPN của Sở',
      description:
        'Từ 22 giờ, cổng vpn.haiphong.gov.vn ghi nhận khoảng 18.000 lần đăng nhập thất bại từ 240 địa chỉ IP, nhiều nhất từ 198.51.100.250. ' +
        'Chưa có tài khoản nào đăng nhập thành công; đã bật khóa tài khoản tạm thời sau 5 lần sai.',
      category: 'intrusion',
      severity: 'low',
      tlp: 'GREEN',
      pap: 'GREEN',
      handled: 'on',
      detectionMethods: ['ids', 'logs'],
      contactTitle: 'Chuyên viên Trung tâm Thông tin và Truyền thông',
      contactPhone: '0225 3842 618',
      systemName: 'Cổng VPN của Sở Thông tin và Truyền thông Hải Phòng',
      systemDomains: 'vpn.haiphong.gov.vn',
      systemPublicIps: '198.51.100.45',
      systemLevel: '2',
    },
    steps: [
      { by: 'haiPhong', hoursAgo: 57.5, do: 'acknowledge' },
      { by: 'haiPhong', hoursAgo: 57, do: 'escalate', urgency: 'normal', reason: 'Đề nghị VNCERT/CC đánh giá và cảnh báo các thành viên mạng lưới về chiến dịch dò mật khẩu này.' },
      {
        by: 'analyst',
        hoursAgo: 52,
        do: 'decline',
        reason:
          'Chưa có dấu hiệu xâm nhập thành công; sự cố trong khả năng xử lý của đơn vị. Đề nghị Sở tiếp tục theo dõi, bật xác thực đa yếu tố cho VPN ' +
          'và chia sẻ danh sách địa chỉ tấn công trong mạng lưới.',
      },
      { by: 'haiPhong', hoursAgo: 50, do: 'comment', body: 'Đã bật xác thực đa yếu tố cho toàn bộ tài khoản VPN và chặn 240 địa chỉ tấn công trên tường lửa.' },
    ],
  },
  {
    key: 'acknowledged',
    by: 'quangNinh',
    detectedHoursAgo: 50,
    filedHoursAgo: 49,
    report: {
      title: 'Cổng thông tin điện tử tỉnh Quảng Ninh bị thay đổi giao diện',
      description:
        'Khoảng 6 giờ 40 sáng, trang chủ cong-thong-tin.quangninh.gov.vn hiển thị nội dung lạ kèm khẩu hiệu của một nhóm tin tặc. ' +
        'Nghi bị khai thác chức năng tải tệp của phân hệ quản trị nội dung. Đã tạm chuyển sang trang thông báo bảo trì.',
      category: 'defacement',
      severity: 'high',
      tlp: 'AMBER',
      pap: 'AMBER',
      handled: 'on',
      detectionMethods: ['notified', 'logs'],
      detectionDetail: 'Người dân phản ánh qua đường dây nóng; xác nhận qua nhật ký máy chủ web.',
      alreadyNotified: ['responsible_member'],
      contactTitle: 'Chuyên viên Phòng Công nghệ thông tin',
      contactPhone: '0203 3835 411',
      systemName: 'Cổng thông tin điện tử tỉnh Quảng Ninh',
      systemDomains: ['cong-thong-tin.quangninh.gov.vn', 'quangninh.gov.vn'],
      systemPublicIps: '203.0.113.21',
      systemLevel: '3',
      systemOwner: 'Văn phòng Ủy ban nhân dân tỉnh Quảng Ninh',
      systemOperator: 'Sở Thông tin và Truyền thông Quảng Ninh',
      systemIsp: 'Viettel Quảng Ninh',
      environmentOs: 'CentOS 7',
      environmentServices: 'Apache, PHP, MySQL, hệ quản trị nội dung',
    },
    steps: [
      { by: 'lead', hoursAgo: 47, do: 'acknowledge' },
      {
        by: 'lead',
        hoursAgo: 46.8,
        do: 'comment',
        body: 'Cụm 3 đã tiếp nhận. Đề nghị Sở giữ nguyên nhật ký máy chủ web, sao lưu mã nguồn hiện tại trước khi khôi phục và gửi trích nhật ký truy cập quanh thời điểm sự cố.',
      },
      {
        by: 'lead',
        hoursAgo: 46.5,
        do: 'comment',
        internal: true,
        body: 'Nội bộ Nam Định: dấu hiệu giống vụ thay đổi giao diện trang của một huyện trong cụm năm ngoái (cùng phân hệ tải tệp). Kiểm tra xem Hải Dương có dùng cùng phiên bản không.',
      },
      {
        by: 'quangNinh',
        hoursAgo: 45,
        do: 'attach',
        fileName: 'trich-nhat-ky-truy-cap-web.txt',
        content: (detectedAt) =>
          [
            '# Trích nhật ký truy cập cong-thong-tin.quangninh.gov.vn (giờ Việt Nam)',
            `${localTime(new Date(detectedAt.getTime() - 2 * HOUR))} 203.0.113.200 "POST /quan-tri/tai-tep HTTP/1.1" 200 512`,
            `${localTime(new Date(detectedAt.getTime() - 2 * HOUR))} 203.0.113.200 "GET /uploads/anh/s.php?c=id HTTP/1.1" 200 31`,
            `${localTime(new Date(detectedAt.getTime() - HOUR))} 203.0.113.200 "POST /uploads/anh/s.php HTTP/1.1" 200 18`,
            `${localTime(detectedAt)} 203.0.113.200 "GET /index.php HTTP/1.1" 200 4096`,
            '',
          ].join('\n'),
      },
      { by: 'quangNinh', hoursAgo: 44, do: 'comment', body: 'Đã gửi trích nhật ký. Giao diện đã được khôi phục từ bản sao lưu hôm trước; tạm khóa chức năng tải tệp.' },
    ],
  },
  {
    key: 'investigating',
    by: 'haiPhong',
    detectedHoursAgo: 34,
    filedHoursAgo: 32,
    report: {
      title: 'Máy chủ quản lý văn bản kết nối tới máy chủ điều khiển mã độc',
      description:
        'IDS cảnh báo máy chủ qlvb.haiphong.gov.vn kết nối định kỳ 5 phút một lần tới 203.0.113.45 cổng 443, địa chỉ nằm trong danh sách máy chủ điều khiển (C2) ' +
        'của một họ mã độc đánh cắp thông tin. Đã chặn kết nối ra ngoài của máy chủ; đang thu thập mẫu.',
      category: 'malware',
      severity: 'high',
      tlp: 'AMBER',
      pap: 'AMBER',
      detectionMethods: ['ids'],
      contactTitle: 'Chuyên viên Trung tâm Thông tin và Truyền thông',
      contactPhone: '0225 3842 618',
      systemName: 'Hệ thống quản lý văn bản và điều hành thành phố Hải Phòng',
      systemDomains: 'qlvb.haiphong.gov.vn',
      systemPublicIps: '198.51.100.41',
      systemLevel: '3',
      systemOwner: 'Văn phòng Ủy ban nhân dân thành phố Hải Phòng',
      systemOperator: 'Sở Thông tin và Truyền thông Hải Phòng',
      environmentOs: 'Windows Server 2019',
      environmentServices: 'IIS, Microsoft SQL Server',
    },
    steps: [
      { by: 'haiPhong', hoursAgo: 31, do: 'investigate' },
      { by: 'haiPhong', hoursAgo: 30, do: 'assign', user: 'haiPhong', organisation: 'so-tttt-nam-dinh' },
      { by: 'lead', hoursAgo: 24, do: 'comment', body: 'Nam Định nhận hỗ trợ phân tích mẫu. Đề nghị gửi bản sao bộ nhớ và danh sách tiến trình của máy chủ qua kênh mã hóa.' },
    ],
  },
  {
    key: 'escalated',
    by: 'bacNinh',
    detectedHoursAgo: 30,
    filedHoursAgo: 28,
    report: {
      title: 'Nghi rò rỉ dữ liệu hồ sơ thủ tục hành chính của người dân',
      description:
        'Một diễn đàn rao bán tệp dữ liệu được cho là trích xuất từ Cổng dịch vụ công tỉnh Bắc Ninh (họ tên, số định danh, số điện thoại của khoảng 12.000 người). ' +
        'Dữ liệu mẫu khớp định dạng báo cáo xuất từ hệ thống. Chưa xác định đường rò rỉ.',
      category: 'eavesdropping',
      severity: 'high',
      tlp: 'AMBER+STRICT',
      pap: 'RED',
      confidential: 'on',
      detectionMethods: ['notified'],
      detectionDetail: 'Cơ quan công an thông báo.',
      seriousHarms: ['secretLeak'],
      beyondOwnerCapacity: 'on',
      contactTitle: 'Chuyên viên Phòng Công nghệ thông tin',
      contactPhone: '0222 3822 154',
      systemName: 'Cổng dịch vụ công tỉnh Bắc Ninh',
      systemDomains: 'dichvucong.bacninh.gov.vn',
      systemPublicIps: '198.51.100.20',
      systemLevel: '3',
      supportRequested: 'Đề nghị VNCERT/CC hỗ trợ xác minh nguồn dữ liệu và phối hợp gỡ bỏ bài rao bán.',
    },
    steps: [
      {
        by: 'bacNinh',
        hoursAgo: 27,
        do: 'escalate',
        urgency: 'urgent',
        reason: 'Dữ liệu cá nhân của khoảng 12.000 người dân có thể đã bị lộ; Sở không đủ năng lực điều tra nguồn rò rỉ.',
      },
      { by: 'analyst', hoursAgo: 26, do: 'acknowledge' },
    ],
  },
  {
    key: 'contained',
    by: 'lead',
    detectedHoursAgo: 17,
    filedHoursAgo: 16,
    report: {
      title: 'Tấn công từ chối dịch vụ vào Cổng dịch vụ công tỉnh Nam Định',
      description:
        'Từ 9 giờ, lưu lượng HTTP tới dichvucong.namdinh.gov.vn tăng gấp khoảng 40 lần bình thường (khoảng 1,2 Gbps), chủ yếu từ địa chỉ nước ngoài; ' +
        'người dân không nộp được hồ sơ trực tuyến trong khoảng 2 giờ.',
      category: 'ddos',
      severity: 'medium',
      tlp: 'GREEN',
      pap: 'GREEN',
      detectionMethods: ['ids', 'notified'],
      alreadyNotified: ['isp', 'national_cert'],
      contactTitle: 'Chuyên viên Phòng Công nghệ thông tin',
      contactPhone: '0228 3849 256',
      systemName: 'Cổng dịch vụ công tỉnh Nam Định',
      systemDomains: 'dichvucong.namdinh.gov.vn',
      systemPublicIps: ['203.0.113.61', '203.0.113.62'],
      systemLevel: '3',
      systemOwner: 'Ủy ban nhân dân tỉnh Nam Định',
      systemOperator: 'Sở Thông tin và Truyền thông Nam Định',
      systemIsp: 'VNPT Nam Định',
    },
    steps: [
      { by: 'namDinhAdmin', hoursAgo: 15.5, do: 'assign', user: 'lead' },
      { by: 'lead', hoursAgo: 15, do: 'investigate' },
      { by: 'lead', hoursAgo: 11, do: 'comment', body: 'Đã phối hợp VNPT Nam Định lọc lưu lượng tại biên và giới hạn truy cập từ nước ngoài; cổng hoạt động lại bình thường.' },
      { by: 'lead', hoursAgo: 10, do: 'contain' },
    ],
  },
  {
    key: 'newRed',
    by: 'quangNinh',
    detectedHoursAgo: 7,
    filedHoursAgo: 5,
    // The national CERT's analyst, not the cluster lead: whether the lead may be named depends on
    // the cluster term at the hour of filing, which early on 1 January is last year's, and the
    // seed has no term for last year.
    recipients: ['analyst'],
    report: {
      title: 'Nghi hộp thư công vụ của lãnh đạo Sở bị chiếm quyền, lộ văn bản mật',
      description:
        'Hộp thư của một lãnh đạo Sở có quy tắc tự động chuyển tiếp tới một địa chỉ bên ngoài, được tạo ba ngày trước; có đăng nhập từ 198.51.100.213 ngoài giờ làm việc. ' +
        'Hộp thư chứa văn bản mật. Chỉ chia sẻ với người được nêu tên.',
      category: 'intrusion',
      severity: 'high',
      tlp: 'RED',
      pap: 'RED',
      confidential: 'on',
      detectionMethods: ['logs'],
      contactTitle: 'Chuyên viên Phòng Công nghệ thông tin',
      contactPhone: '0203 3835 411',
      systemName: 'Hệ thống thư điện tử công vụ tỉnh Quảng Ninh',
      systemDomains: 'mail.quangninh.gov.vn',
      systemPublicIps: '203.0.113.23',
      systemLevel: '3',
    },
    steps: [],
  },
]

interface DemoPerson {
  id: string
  name: string
  email: string
  actor: Actor
}

/** The demo accounts as actors, or null if one of them is missing or may not act. */
async function loadDemoPeople(services: Services): Promise<Record<Person, DemoPerson> | null> {
  const rows = await services.db
    .select({ id: users.id, name: users.name, email: users.email })
    .from(users)
    .where(inArray(users.email, Object.values(DEMO_PEOPLE)))
  const people = {} as Record<Person, DemoPerson>
  for (const [person, email] of Object.entries(DEMO_PEOPLE) as [Person, string][]) {
    const row = rows.find((r) => r.email === email)
    const actor = row ? await loadActor(services.db, row.id, services.now()) : null
    if (!row || !actor) return null
    people[person] = { ...row, actor }
  }
  return people
}

/**
 * Seeds the demo incidents once: only into an installation that has no incident at all (a
 * fresh data directory, or one where nobody has filed anything yet), so a second start adds
 * nothing and the data people have made is never mixed with stories. Needs the demo accounts
 * (seedDemoAccounts); without them it does nothing. A story the policy refuses (an installation
 * whose accounts, roles or cluster terms were changed before this ran) is skipped with a
 * warning rather than stopping the server. Returns the incident of each story told.
 */
export async function seedDemoIncidents(services: Services, orgIds: Map<string, string>): Promise<Map<DemoStory, string>> {
  const told = new Map<DemoStory, string>()
  const [existing] = await services.db.select({ id: incidents.id }).from(incidents).limit(1)
  if (existing) return told
  const people = await loadDemoPeople(services)
  if (!people) return told

  const started = performance.now()
  const base = services.now()
  let clock = base
  const clocked: Services = { ...services, now: () => clock }
  const as = (person: Person): ActingContext => ({ services: clocked, actor: people[person].actor, ip: null })
  const organisation = (slug: OrganisationSlug) => {
    const id = orgIds.get(slug)
    if (!id) throw new Error(`demo incidents: organisation ${slug} is not seeded`)
    return id
  }
  const hoursAgo = (hours: number) => new Date(base.getTime() - hours * HOUR)

  const tell = async (story: Story): Promise<string> => {
    const filer = people[story.by]
    const detectedAt = hoursAgo(story.detectedHoursAgo)
    clock = hoursAgo(story.filedHoursAgo)
    const { id } = await createIncident(
      as(story.by),
      {
        ...story.report,
        detectedAt: localTime(detectedAt),
        contactName: filer.name,
        contactEmail: filer.email,
        recipientIds: (story.recipients ?? []).map((p) => people[p].id),
      },
      { submit: !story.draft, timeZone: DEFAULT_TIME_ZONE },
    )
    let requestId: string | undefined
    let previous = story.filedHoursAgo
    for (const step of story.steps) {
      // The stories are data: a step set before the one it follows is a mistake in them.
      if (step.hoursAgo > previous) throw new Error(`demo incidents: story ${story.key} goes back in time at ${step.do}`)
      previous = step.hoursAgo
      clock = hoursAgo(step.hoursAgo)
      const acting = as(step.by)
      switch (step.do) {
        case 'acknowledge':
        case 'investigate':
        case 'contain':
        case 'resolve':
          await transitionIncident(acting, id, step.do)
          break
        case 'close': {
          const { closureWhatHappened, closureResolution, closurePrevention } = step
          await transitionIncident(acting, id, 'close', { closureWhatHappened, closureResolution, closurePrevention })
          break
        }
        case 'comment':
          await addComment(acting, id, { body: step.body, internal: step.internal ? 'on' : '' })
          break
        case 'assign':
          await assignIncident(acting, id, {
            assignedUserId: people[step.user].id,
            respondingOrganisationId: step.organisation ? organisation(step.organisation) : '',
          })
          break
        case 'attach':
          await addAttachment(acting, id, new File([step.content(detectedAt)], step.fileName, { type: 'text/plain' }))
          break
        case 'escalate':
          await escalateIncident(acting, id, { reason: step.reason, urgency: step.urgency })
          break
        case 'accept':
          await acceptEscalation(acting, id, { classification: step.classification, analystId: people.analyst.id, note: step.note })
          break
        case 'decline':
          await declineEscalation(acting, id, { reason: step.reason })
          break
        case 'askForInformation':
          await requestMoreInformation(acting, id, { question: step.question })
          break
        case 'requestCoordination': {
          const dueAt = localTime(new Date(clock.getTime() + step.dueInHours * HOUR))
          const issued = await issueCoordinationRequest(
            acting,
            id,
            { organisationIds: [organisation(step.organisation)], request: step.request, dueAt },
            { timeZone: DEFAULT_TIME_ZONE },
          )
          requestId = issued.requestIds[0]
          break
        }
        case 'acknowledgeCoordination':
          await acknowledgeCoordinationRequest(acting, requestOf(story, requestId))
          break
        case 'answerCoordination':
          await answerCoordinationRequest(acting, requestOf(story, requestId), { answer: step.answer })
          break
      }
    }
    return id
  }

  // In the order they were filed, so the references count up with time as they would.
  for (const story of [...STORIES].sort((a, b) => b.filedHoursAgo - a.filedHoursAgo)) {
    try {
      told.set(story.key, await tell(story))
    } catch (error) {
      if (!(error instanceof DomainError)) throw error
      log(services.env.LOG_LEVEL, 'warn', 'demo incident skipped', {
        story: story.key,
        code: error.code,
        messageKey: error.messageKey,
        fieldErrors: error.details.fieldErrors,
      })
    }
  }
  log(services.env.LOG_LEVEL, 'info', 'demo incidents seeded', { incidents: told.size, ms: Math.round(performance.now() - started) })
  return told
}

function requestOf(story: Story, requestId: string | undefined): string {
  if (!requestId) throw new Error(`demo incidents: story ${story.key} answers a coordination request it never issued`)
  return requestId
}
