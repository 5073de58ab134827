// i18n.ts — the UI's words in English and Korean (the original guide's readers are Korean). The language is
// chosen from the OS/browser locale, and the user can switch. `t(key, vars)` fills {placeholders}.

export type Lang = 'en' | 'ko';

const en = {
  'app.title': 'Kafka Cluster Wizard',
  'step.version': 'Version', 'step.hosts': 'Hosts & IDs', 'step.storage': 'Storage', 'step.coordination': 'ZooKeeper / KRaft',
  'step.review': 'Review', 'step.install': 'Install', 'step.manage': 'Manage',
  'nav.back': 'Back', 'nav.next': 'Next', 'nav.hint': 'Enter: next step · Alt+←: back',
  'file.new': 'New', 'file.open': 'Open…', 'file.save': 'Save', 'file.saveAs': 'Save as…', 'file.recent': 'Recent',
  'file.untitled': 'Untitled',
  'file.saved': 'Saved {path}', 'file.opened': 'Opened {path}', 'file.noRecent': 'No recent projects yet — open or save one.',
  'file.discard': 'Discard unsaved changes?',
  'pick.open': 'Open a project', 'pick.saveAs': 'Save the project as', 'pick.exportFolder': 'Export to a folder',
  'pick.exportZip': 'Export to a zip file', 'pick.projectFiles': 'Cluster projects (*.toml)', 'pick.zipFiles': 'Zip archives (*.zip)',
  'version.name': 'Cluster name', 'version.release': 'Apache Kafka release', 'version.scala': 'Scala build',
  'version.mode': 'Coordination', 'version.java': 'Java {min}–{max}', 'version.withdrawn': 'withdrawn — do not use',
  'version.current': 'current', 'version.kraftOnly': 'KRaft only (ZooKeeper was removed in 4.0)',
  'version.zkOnly': 'ZooKeeper mode (KRaft is not production ready in this release)', 'version.choose': 'This release supports both — choose one:',
  'version.source': 'Where the release comes from', 'version.apache': 'Apache (downloads / archive)', 'version.mirror': 'A mirror with Apache’s layout',
  'version.tarball': 'A local tarball (offline)', 'version.mirrorUrl': 'Mirror URL', 'version.tarballPath': 'Tarball path on this machine',
  'hosts.empty': 'No hosts yet. Add one, or paste a list of host names (one per line).', 'hosts.add': 'Add host', 'hosts.testAll': 'Test all connections', 'hosts.orExample': 'Or start from an example:', 'hosts.exampleSeed': 'The guide’s cluster (3 ZooKeeper + 3 brokers)', 'hosts.exampleKraft': 'KRaft, 3 combined nodes', 'file.exampleLoaded': 'Example loaded — change the host names to yours, then Save.',
  'hosts.paste': 'Paste host names', 'hosts.pasteAs': 'as', 'hosts.pasteAdd': 'Add these hosts', 'hosts.autonumber': 'Auto-number ids',
  'hosts.name': 'Name', 'hosts.address': 'Address', 'hosts.roles': 'Roles', 'hosts.id': 'broker/node id', 'hosts.myid': 'myid',
  'hosts.rack': 'Rack', 'hosts.test': 'Test connection', 'hosts.remove': 'Remove', 'hosts.ssh': 'SSH (defaults for every host)',
  'hosts.sshUser': 'User', 'hosts.sshPort': 'Port', 'hosts.sshKey': 'Identity file', 'hosts.sshKnown': 'known_hosts', 'hosts.sshSudo': 'Use sudo (non-root user)', 'hosts.sudoOverride': 'sudo', 'hosts.sudoDefault': 'as the defaults', 'hosts.sudoYes': 'yes', 'hosts.sudoNo': 'no', 'hosts.local': 'This machine (run commands here, no SSH)',
  'hosts.override': 'SSH override', 'hosts.password': 'SSH password (kept in memory only, never saved)', 'hosts.passphrase': 'Key passphrase, for an encrypted key file (memory only)',
  'conn.testing': 'testing…', 'conn.reach': 'reachable', 'conn.unreach': 'unreachable', 'conn.auth': 'login ok', 'conn.authFail': 'login failed', 'conn.systemd': 'systemd', 'conn.noSystemd': 'no systemd — the wizard needs it',
  'conn.key': 'Unknown host key — compare it with the host’s own (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub):',
  'conn.accept': 'Accept', 'conn.reject': 'Reject', 'conn.rejected': 'Key rejected — nothing was remembered.',
  'storage.dataDirs': 'Data directories (log.dirs)', 'storage.addDir': 'Add directory', 'storage.up': 'Up', 'storage.down': 'Down',
  'storage.install': 'Install directory', 'storage.config': 'Config directory', 'storage.log': 'Log directory', 'storage.user': 'Service user',
  'storage.heap': 'Broker heap', 'storage.port': 'Listener port', 'storage.perHost': 'Per-host data directories (comma-separated; empty = the list above)', 'storage.noDirs': 'No data directory: brokers use {dir}. Add one to choose.',
  'coord.zk': 'ZooKeeper ensemble', 'coord.fromHosts': 'Hosts with the role “zookeeper”', 'coord.external': 'An existing (external) ensemble',
  'coord.externalList': 'host:port, one per line', 'coord.chroot': 'Chroot (one per cluster)', 'coord.chrootDefault': 'default: /{name}',
  'coord.clientPort': 'Client port', 'coord.quorumPort': 'Quorum port', 'coord.electionPort': 'Election port', 'coord.zkData': 'ZooKeeper data directory', 'coord.advanced': 'Advanced: log directory, heap, timing', 'coord.idGenerated': 'Generated the KRaft cluster id {id} — Save keeps it in the project.', 'coord.zkLog': 'ZooKeeper log directory', 'coord.zkHeap': 'ZooKeeper heap', 'coord.tickTime': 'tickTime (ms)', 'coord.initLimit': 'initLimit', 'coord.syncLimit': 'syncLimit', 'coord.ticks': 'in ticks',
  'coord.members': 'Members: {list}', 'coord.noMembers': 'No host has the role “zookeeper” yet — give it to 3 hosts on the Hosts step.',
  'coord.kraft': 'KRaft controllers', 'coord.controllers': 'Controllers: {list}', 'coord.noControllers': 'No host has the role “controller” yet — give it to 3 hosts on the Hosts step.',
  'coord.clusterId': 'Cluster id', 'coord.generate': 'Generate', 'coord.controllerPort': 'Controller port',
  'review.files': 'Generated files', 'review.plan': 'Plan', 'review.problems': 'Problems', 'review.none': 'No problems.',
  'review.fix': 'Fix the errors first — each is shown next to its field:', 'review.export': 'Export', 'review.exportHint': 'Choose a new or empty folder (or an earlier export, with Replace), or a .zip file.',
  'review.folder': 'Folder', 'review.zip': 'Zip', 'review.replace': 'Replace an earlier export', 'review.exported': 'Exported {n} files to {path}',
  'install.start': 'Install', 'install.cancelled': 'Install cancelled — every host finished its current step and nothing further was changed. Press Install to go on from there.', 'install.cancel': 'Cancel', 'install.retry': 'Retry failed hosts', 'install.javaInstall': 'Install Java where missing',
  'install.idle': 'Nothing installed yet. Check Review, then press Install: progress appears here per host.',
  'install.overall': 'Overall', 'install.log': 'Log', 'install.done': 'Installed: {changed} change(s), {unchanged} unchanged — the cluster is healthy.',
  'install.failed': 'Install stopped: {message}', 'install.retryNote': 'Retry runs the install again: hosts that are done stay unchanged.',
  'manage.refresh': 'Refresh', 'manage.auto': 'Refresh every 10 s', 'manage.start': 'Start', 'manage.stop': 'Stop', 'manage.restart': 'Restart (rolling)',
  'manage.confirm': '{verb} the cluster {name}?', 'manage.yes': 'Yes', 'manage.no': 'No', 'manage.unit': 'Units', 'manage.process': 'Listening',
  'manage.inCluster': 'In cluster', 'manage.empty': 'Press Refresh to read the status of every host.', 'manage.healthy': 'Cluster is healthy',
  'manage.smoke': 'Smoke test', 'smoke.passed': 'Smoke test passed: {n} record(s) written with acks=all and read back unchanged',
  'smoke.failed': 'Smoke test FAILED', 'smoke.cancelled': 'Smoke test cancelled (the topic was deleted)',
  'smoke.topic': 'Topic {topic}: replication factor {rf}, min.insync.replicas {isr}, {n} record(s)',
  'smoke.broker': 'Broker', 'smoke.inCluster': 'In cluster', 'smoke.leads': 'Leads partition(s)', 'smoke.partition': 'Partition',
  'smoke.leader': 'Leader', 'smoke.replicas': 'Replicas / ISR', 'smoke.acked': 'Acknowledged', 'smoke.readBack': 'Read back',
  'smoke.latency': 'Produce latency (one record, acks=all): p50 {p50} ms, p99 {p99} ms, max {max} ms; end to end {e2e} ms',
  'smoke.deleted': 'The topic was deleted.', 'smoke.pending': 'The topic\'s deletion is pending: {reason}',
  'smoke.notDeleted': 'The topic was NOT deleted: {reason}', 'smoke.notCreated': 'The topic was not created.',
  'manage.unhealthy': 'Cluster is NOT healthy', 'manage.host': 'Host', 'run.thisMachine': 'This machine', 'review.planFetch': 'download {tarball} and verify it', 'review.planStart': 'start {service}', 'review.planAcls': 'set the ACLs of {users} ({n})', 'review.planScramUsers': 'give {users} a {mechanism} credential; delete users no longer listed',
  'review.diff': 'Changes on the hosts', 'review.diffAfterTest': 'What a deploy would change on each host — a diff of every file and which services would restart — is shown here after Test connection on', 'review.diffAgain': 'Check again',
  'review.diffReading': 'Reading every host…', 'review.diffSummary': '{n} step(s) would change something on the hosts (nothing was changed):', 'review.diffUpToDate': 'Every host already matches the project: a deploy would change nothing.',
  'review.diffChanges': '{n} change(s), {unchanged} unchanged', 'review.diffNone': 'no changes',
  'manage.cancelled': '{verb} cancelled — the node being worked on finished and nothing further was touched.', 'manage.force': 'Restart anyway',
  'manage.forceWarning': 'The cluster was not healthy, so the rolling restart was refused and nothing was restarted. Restarting anyway can make partitions unavailable (or lose writes) while a node is down — let the cluster recover first if you can.',
  'manage.forceConfirm': 'Restart the cluster {name} although it is NOT healthy? Partitions may become unavailable while each node is down.',
  'problems.error': 'error', 'problems.warning': 'warning', 'problems.count': '{e} error(s), {w} warning(s)',
  'lang': 'Language',
} as const;

export type Key = keyof typeof en;

const ko: Record<Key, string> = {
  'app.title': 'Kafka 클러스터 마법사',
  'step.version': '버전', 'step.hosts': '호스트와 ID', 'step.storage': '스토리지', 'step.coordination': 'ZooKeeper / KRaft',
  'step.review': '검토', 'step.install': '설치', 'step.manage': '관리',
  'nav.back': '이전', 'nav.next': '다음', 'nav.hint': 'Enter: 다음 단계 · Alt+←: 이전',
  'file.new': '새로 만들기', 'file.open': '열기…', 'file.save': '저장', 'file.saveAs': '다른 이름으로 저장…', 'file.recent': '최근 프로젝트',
  'file.untitled': '제목 없음',
  'file.saved': '{path} 저장됨', 'file.opened': '{path} 열림', 'file.noRecent': '최근 프로젝트가 없습니다 — 프로젝트를 열거나 저장하세요.',
  'file.discard': '저장하지 않은 변경 사항을 버릴까요?',
  'pick.open': '프로젝트 열기', 'pick.saveAs': '프로젝트를 다른 이름으로 저장', 'pick.exportFolder': '폴더로 내보내기',
  'pick.exportZip': 'zip 파일로 내보내기', 'pick.projectFiles': '클러스터 프로젝트 (*.toml)', 'pick.zipFiles': 'Zip 압축 파일 (*.zip)',
  'version.name': '클러스터 이름', 'version.release': 'Apache Kafka 릴리스', 'version.scala': 'Scala 빌드',
  'version.mode': '코디네이션', 'version.java': 'Java {min}–{max}', 'version.withdrawn': '철회됨 — 사용하지 마세요',
  'version.current': '최신', 'version.kraftOnly': 'KRaft 전용 (4.0에서 ZooKeeper 제거)',
  'version.zkOnly': 'ZooKeeper 모드 (이 릴리스의 KRaft는 프로덕션용이 아님)', 'version.choose': '두 모드를 모두 지원합니다 — 선택하세요:',
  'version.source': '릴리스 받는 곳', 'version.apache': 'Apache (downloads / archive)', 'version.mirror': 'Apache 구조의 미러',
  'version.tarball': '로컬 tarball (오프라인)', 'version.mirrorUrl': '미러 URL', 'version.tarballPath': '이 컴퓨터의 tarball 경로',
  'hosts.empty': '호스트가 없습니다. 추가하거나 호스트 이름 목록(한 줄에 하나)을 붙여 넣으세요.', 'hosts.add': '호스트 추가', 'hosts.testAll': '모든 연결 테스트', 'hosts.orExample': '또는 예제에서 시작:', 'hosts.exampleSeed': '가이드의 클러스터 (ZooKeeper 3 + 브로커 3)', 'hosts.exampleKraft': 'KRaft, 결합 노드 3개', 'file.exampleLoaded': '예제를 불러왔습니다 — 호스트 이름을 바꾸고 저장하세요.',
  'hosts.paste': '호스트 이름 붙여 넣기', 'hosts.pasteAs': '역할', 'hosts.pasteAdd': '이 호스트들 추가', 'hosts.autonumber': 'ID 자동 번호',
  'hosts.name': '이름', 'hosts.address': '주소', 'hosts.roles': '역할', 'hosts.id': 'broker/node id', 'hosts.myid': 'myid',
  'hosts.rack': '랙', 'hosts.test': '연결 테스트', 'hosts.remove': '삭제', 'hosts.ssh': 'SSH (모든 호스트 기본값)',
  'hosts.sshUser': '사용자', 'hosts.sshPort': '포트', 'hosts.sshKey': '키 파일', 'hosts.sshKnown': 'known_hosts', 'hosts.sshSudo': 'sudo 사용 (root가 아닌 사용자)', 'hosts.sudoOverride': 'sudo', 'hosts.sudoDefault': '기본 설정대로', 'hosts.sudoYes': '사용', 'hosts.sudoNo': '사용 안 함', 'hosts.local': '이 컴퓨터 (SSH 없이 여기서 실행)',
  'hosts.override': 'SSH 개별 설정', 'hosts.password': 'SSH 비밀번호 (메모리에만 보관, 저장 안 함)', 'hosts.passphrase': '키 암호 (암호화된 키 파일용, 메모리에만 보관)',
  'conn.testing': '테스트 중…', 'conn.reach': '연결됨', 'conn.unreach': '연결 불가', 'conn.auth': '로그인 성공', 'conn.authFail': '로그인 실패', 'conn.systemd': 'systemd', 'conn.noSystemd': 'systemd 없음 — 마법사에 필요합니다',
  'conn.key': '알 수 없는 호스트 키 — 호스트의 키와 비교하세요 (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub):',
  'conn.accept': '수락', 'conn.reject': '거부', 'conn.rejected': '키를 거부했습니다 — 아무것도 기억하지 않았습니다.',
  'storage.dataDirs': '데이터 디렉터리 (log.dirs)', 'storage.addDir': '디렉터리 추가', 'storage.up': '위로', 'storage.down': '아래로',
  'storage.install': '설치 디렉터리', 'storage.config': '설정 디렉터리', 'storage.log': '로그 디렉터리', 'storage.user': '서비스 사용자',
  'storage.heap': '브로커 힙', 'storage.port': '리스너 포트', 'storage.perHost': '호스트별 데이터 디렉터리 (쉼표로 구분; 비우면 위 목록 사용)', 'storage.noDirs': '데이터 디렉터리가 없으면 {dir}를 씁니다. 추가해서 선택하세요.',
  'coord.zk': 'ZooKeeper 앙상블', 'coord.fromHosts': '"zookeeper" 역할의 호스트', 'coord.external': '기존 (외부) 앙상블',
  'coord.externalList': 'host:port, 한 줄에 하나', 'coord.chroot': 'Chroot (클러스터당 하나)', 'coord.chrootDefault': '기본값: /{name}',
  'coord.clientPort': '클라이언트 포트', 'coord.quorumPort': '쿼럼 포트', 'coord.electionPort': '선출 포트', 'coord.zkData': 'ZooKeeper 데이터 디렉터리', 'coord.advanced': '고급: 로그 디렉터리, 힙, 타이밍', 'coord.idGenerated': 'KRaft 클러스터 ID {id}를 생성했습니다 — 저장하면 프로젝트에 남습니다.', 'coord.zkLog': 'ZooKeeper 로그 디렉터리', 'coord.zkHeap': 'ZooKeeper 힙', 'coord.tickTime': 'tickTime (ms)', 'coord.initLimit': 'initLimit', 'coord.syncLimit': 'syncLimit', 'coord.ticks': '틱 단위',
  'coord.members': '멤버: {list}', 'coord.noMembers': '"zookeeper" 역할의 호스트가 없습니다 — 호스트 단계에서 3대에 지정하세요.',
  'coord.kraft': 'KRaft 컨트롤러', 'coord.controllers': '컨트롤러: {list}', 'coord.noControllers': '"controller" 역할의 호스트가 없습니다 — 호스트 단계에서 3대에 지정하세요.',
  'coord.clusterId': '클러스터 ID', 'coord.generate': '생성', 'coord.controllerPort': '컨트롤러 포트',
  'review.files': '생성된 파일', 'review.plan': '계획', 'review.problems': '문제', 'review.none': '문제 없음.',
  'review.fix': '먼저 오류를 고치세요 — 각 오류는 해당 필드 옆에 표시됩니다:', 'review.export': '내보내기', 'review.exportHint': '새 폴더나 빈 폴더(덮어쓰기를 켜면 이전 내보내기 폴더), 또는 .zip 파일을 고르세요.',
  'review.folder': '폴더', 'review.zip': 'Zip', 'review.replace': '이전 내보내기 덮어쓰기', 'review.exported': '{n}개 파일을 {path}에 내보냈습니다',
  'install.start': '설치', 'install.cancelled': '설치를 취소했습니다 — 각 호스트는 진행 중이던 단계만 마쳤고 그 이상은 바꾸지 않았습니다. 설치를 누르면 그 지점부터 이어서 진행합니다.', 'install.cancel': '취소', 'install.retry': '실패한 호스트 재시도', 'install.javaInstall': 'Java가 없으면 설치',
  'install.idle': '아직 설치하지 않았습니다. 검토 후 설치를 누르면 호스트별 진행 상황이 여기에 표시됩니다.',
  'install.overall': '전체', 'install.log': '로그', 'install.done': '설치 완료: 변경 {changed}건, 변경 없음 {unchanged}건 — 클러스터 정상.',
  'install.failed': '설치 중단: {message}', 'install.retryNote': '재시도는 설치를 다시 실행합니다: 완료된 호스트는 그대로 둡니다.',
  'manage.refresh': '새로 고침', 'manage.auto': '10초마다 새로 고침', 'manage.start': '시작', 'manage.stop': '중지', 'manage.restart': '재시작 (롤링)',
  'manage.confirm': '클러스터 {name}: {verb}?', 'manage.yes': '예', 'manage.no': '아니요', 'manage.unit': '유닛', 'manage.process': '리스닝',
  'manage.inCluster': '클러스터 참여', 'manage.empty': '새로 고침을 눌러 모든 호스트의 상태를 읽으세요.', 'manage.healthy': '클러스터 정상',
  'manage.smoke': '스모크 테스트', 'smoke.passed': '스모크 테스트 통과: 레코드 {n}개를 acks=all로 쓰고 그대로 읽어 왔습니다',
  'smoke.failed': '스모크 테스트 실패', 'smoke.cancelled': '스모크 테스트를 취소했습니다 (토픽은 삭제했습니다)',
  'smoke.topic': '토픽 {topic}: 복제 계수 {rf}, min.insync.replicas {isr}, 레코드 {n}개',
  'smoke.broker': '브로커', 'smoke.inCluster': '클러스터 참여', 'smoke.leads': '리더인 파티션', 'smoke.partition': '파티션',
  'smoke.leader': '리더', 'smoke.replicas': '복제본 / ISR', 'smoke.acked': '확인됨', 'smoke.readBack': '읽어 옴',
  'smoke.latency': '쓰기 지연 (레코드 1개, acks=all): p50 {p50} ms, p99 {p99} ms, 최대 {max} ms; 처음부터 끝까지 {e2e} ms',
  'smoke.deleted': '토픽을 삭제했습니다.', 'smoke.pending': '토픽 삭제가 진행 중입니다: {reason}',
  'smoke.notDeleted': '토픽을 삭제하지 못했습니다: {reason}', 'smoke.notCreated': '토픽을 만들지 않았습니다.',
  'manage.unhealthy': '클러스터 비정상', 'manage.host': '호스트', 'run.thisMachine': '이 컴퓨터', 'review.planFetch': '{tarball} 내려받기 및 검증', 'review.planStart': '{service} 시작', 'review.planAcls': '{users}의 ACL 설정({n}개)', 'review.planScramUsers': '{users}에 {mechanism} 자격 증명 부여, 목록에서 빠진 사용자 삭제',
  'review.diff': '호스트에 생길 변경', 'review.diffAfterTest': '배포가 각 호스트에서 바꿀 내용(파일마다의 diff와 재시작될 서비스)은 연결 테스트 후 여기에 표시됩니다:', 'review.diffAgain': '다시 확인',
  'review.diffReading': '모든 호스트를 읽는 중…', 'review.diffSummary': '호스트에서 {n}개 단계가 무언가를 바꿉니다 (아무것도 바꾸지 않았습니다):', 'review.diffUpToDate': '모든 호스트가 이미 프로젝트와 같습니다: 배포해도 바뀌는 것이 없습니다.',
  'review.diffChanges': '변경 {n}개, 그대로 {unchanged}개', 'review.diffNone': '변경 없음',
  'manage.cancelled': '{verb} 취소됨 — 작업 중이던 노드는 마쳤고 그 이상은 건드리지 않았습니다.', 'manage.force': '그래도 재시작',
  'manage.forceWarning': '클러스터가 정상이 아니어서 롤링 재시작을 거부했고 아무것도 재시작하지 않았습니다. 그래도 재시작하면 노드가 내려가 있는 동안 파티션을 쓸 수 없게 되거나 쓰기가 유실될 수 있습니다 — 가능하면 먼저 클러스터가 회복되도록 하세요.',
  'manage.forceConfirm': '클러스터 {name}이(가) 정상이 아닌데도 재시작할까요? 각 노드가 내려가 있는 동안 파티션을 쓸 수 없게 될 수 있습니다.',
  'problems.error': '오류', 'problems.warning': '경고', 'problems.count': '오류 {e}개, 경고 {w}개',
  'lang': '언어',
};

const tables: Record<Lang, Record<Key, string>> = { en, ko };

export function langFromLocale(locale: string | undefined): Lang {
  return locale && locale.toLowerCase().startsWith('ko') ? 'ko' : 'en';
}

let current: Lang = 'en';
export function setLang(lang: Lang): void { current = lang; }
export function lang(): Lang { return current; }

export function t(key: Key, vars: Record<string, string | number> = {}): string {
  const text = tables[current][key] ?? en[key];
  return text.replace(/\{(\w+)\}/g, (_, k: string) => (k in vars ? String(vars[k]) : `{${k}}`));
}

/** Every key has a Korean text (checked by a test). */
export function missingKorean(): string[] {
  return (Object.keys(en) as Key[]).filter((k) => !ko[k]);
}
