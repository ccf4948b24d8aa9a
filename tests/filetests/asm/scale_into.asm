# scale_into (array(float64, 1d, C), array(float64, 1d, C), float, int)
  pushq %rbp
  unwind PushFrameRegs { offset_upward_to_caller_sp: 16 }
  movq %rsp, %rbp
  unwind DefineNewFrame { offset_upward_to_caller_sp: 16, offset_downward_to_clobbers: 48 }
  subq $0x40, %rsp
  movq %rbx, 0x10(%rsp)
  unwind SaveReg { clobber_offset: 0, reg: p3i }
  movq %r12, 0x18(%rsp)
  unwind SaveReg { clobber_offset: 8, reg: p12i }
  movq %r13, 0x20(%rsp)
  unwind SaveReg { clobber_offset: 16, reg: p13i }
  movq %r14, 0x28(%rsp)
  unwind SaveReg { clobber_offset: 24, reg: p14i }
  movq %r15, 0x30(%rsp)
  unwind SaveReg { clobber_offset: 32, reg: p15i }
block0:
  movq (%rdi), %rcx
  movq 8(%rdi), %rax
  movq 0x10(%rdi), %r11
  movq 0x18(%rdi), %r10
  movq 0x20(%rdi), %r9
  movq 0x28(%rdi), %rsi
  movq %rsi, <offset:1>+8(%rsp)
  movq 0x30(%rdi), %rsi
  movq 0x38(%rdi), %r8
  movq %r8, <offset:1>+(%rsp)
  vmovsd 0x40(%rdi), %xmm5
  movq 0x48(%rdi), %r12
  movl 4(%rdx), %edi
  leal 1(%rdi), %r8d
  movl %r8d, 4(%rdx)
  jmp     label1
block1:
  movl 8(%rdx), %r13d
  leal 1(%rdi), %edi
  cmpl %r13d, %edi
  jnbe    label20; j label2
block2:
  jmp     label3
block3:
  jmp     label4
block4:
  movq %r12, %r13
  addq $0x0, %r13
  seto %dil
  cmpq %rsi, %r13
  setg %r13b
  orl %edi, %r13d
  testb %r13b, %r13b
  jnz     label5; j label6
block6:
  movq %r12, %r14
  addq $0x0, %r14
  seto %dil
  cmpq %r11, %r14
  setg %r15b
  orl %edi, %r15d
  testb %r15b, %r15b
  jnz     label7; j label8
block8:
  uninit  %rbx
  xorq %rbx, %rbx
  cmpq %rbx, %r12
  movq %rbx, %r13
  cmovgeq %r12, %r13
  movq %rbx, %r12
  jmp     label9
block9:
  cmpq %r13, %rbx
  jl      label12; j label10
block10:
  jmp     label11
block11:
  addl $0xffffffff, 4(%rdx)
  uninit  %rax
  xorl %eax, %eax
  movq 0x10(%rsp), %rbx
  movq 0x18(%rsp), %r12
  movq 0x20(%rsp), %r13
  movq 0x28(%rsp), %r14
  movq 0x30(%rsp), %r15
  addq $0x40, %rsp
  movq %rbp, %rsp
  popq %rbp
  retq
block12:
  vmovsd (%r9, %r12, 8), %xmm0
  vmulsd %xmm5, %xmm0, %xmm1
  vmulsd (%rip), %xmm1, %xmm2
  vucomisd %xmm2, %xmm2
  jp      label14; j label13
block13:
  jmp     label16
block15:
  jmp     label16
block16:
  vmovsd %xmm1, (%rcx, %r12, 8)
  jmp     label17
block17:
  leaq 1(%rbx), %rbx
  leaq 1(%r12), %r12
  jmp     label9
block5:
  movq <offset:1>+(%rsp), %rdi
  movq <offset:1>+8(%rsp), %r8
  jmp     label19
block7:
  movq <offset:1>+(%rsp), %rdi
  movq <offset:1>+8(%rsp), %r8
  jmp     label19
block14:
  vucomisd %xmm1, %xmm1
  setp %r14b
  vucomisd %xmm0, %xmm0
  setp %dil
  vucomisd %xmm5, %xmm5
  setp %r15b
  orl %r15d, %edi
  xorb $0x1, %dil
  andl %edi, %r14d
  movabsq $0x7fffffffffffffff, %rdi
  vmovq %rdi, %xmm2
  vandpd %xmm2, %xmm1, %xmm3
  movabsq $0x7ff0000000000000, %rdi
  vmovq %rdi, %xmm2
  vucomisd (%rip), %xmm3
  setnp %r15b
  sete %dil
  andl %edi, %r15d
  movabsq $0x7fffffffffffffff, %rdi
  vmovq %rdi, %xmm3
  vandpd %xmm3, %xmm0, %xmm3
  vucomisd %xmm3, %xmm2
  seta %dil
  andb $0x1, %dil
  movabsq $0x7fffffffffffffff, %r8
  vmovq %r8, %xmm3
  vandpd %xmm3, %xmm5, %xmm3
  vucomisd %xmm3, %xmm2
  seta %r8b
  andl %r8d, %edi
  andl %edi, %r15d
  orl %r15d, %r14d
  testb %r14b, %r14b
  jnz     label18; j label15
block18:
  movq %rcx, 0x10(%rdx)
  movq %rax, 0x18(%rdx)
  movq %r11, 0x20(%rdx)
  movq %r10, 0x28(%rdx)
  movq %r9, 0x30(%rdx)
  movq <offset:1>+8(%rsp), %r8
  movq %r8, 0x38(%rdx)
  movq %rsi, 0x40(%rdx)
  movq <offset:1>+(%rsp), %rdi
  movq %rdi, 0x48(%rdx)
  vmovsd %xmm5, 0x50(%rdx)
  movq $0x1, 0x58(%rdx)
  movq %r13, 0x60(%rdx)
  movq $0x1, 0x68(%rdx)
  movq %rbx, 0x70(%rdx)
  movq %r12, 0x78(%rdx)
  vmovsd %xmm0, 0x80(%rdx)
  movl $0x0, (%rdx)
  addl $0xffffffff, 4(%rdx)
  movl $0x2, %eax
  movq 0x10(%rsp), %rbx
  movq 0x18(%rsp), %r12
  movq 0x20(%rsp), %r13
  movq 0x28(%rsp), %r14
  movq 0x30(%rsp), %r15
  addq $0x40, %rsp
  movq %rbp, %rsp
  popq %rbp
  retq
block19:
  movq %rcx, 0x10(%rdx)
  movq %rax, 0x18(%rdx)
  movq %r11, 0x20(%rdx)
  movq %r10, 0x28(%rdx)
  movq %r9, 0x30(%rdx)
  movq %r8, 0x38(%rdx)
  movq %rsi, 0x40(%rdx)
  movq %rdi, 0x48(%rdx)
  vmovsd %xmm5, 0x50(%rdx)
  uninit  %rsi
  xorq %rsi, %rsi
  movq $0x0, 0x58(%rdx)
  movq $0x1, 0x60(%rdx)
  cmpq %rsi, %r12
  cmovgeq %r12, %rsi
  movq %rsi, 0x68(%rdx)
  movq $0x0, 0x70(%rdx)
  movq $0x1, 0x78(%rdx)
  movl $0x1, (%rdx)
  addl $0xffffffff, 4(%rdx)
  movl $0x2, %eax
  movq 0x10(%rsp), %rbx
  movq 0x18(%rsp), %r12
  movq 0x20(%rsp), %r13
  movq 0x28(%rsp), %r14
  movq 0x30(%rsp), %r15
  addq $0x40, %rsp
  movq %rbp, %rsp
  popq %rbp
  retq
block20:
  movq <offset:1>+(%rsp), %rdi
  movq <offset:1>+8(%rsp), %r8
  movq %rcx, 0x10(%rdx)
  movq %rax, 0x18(%rdx)
  movq %r11, 0x20(%rdx)
  movq %r10, 0x28(%rdx)
  movq %r9, 0x30(%rdx)
  movq %r8, 0x38(%rdx)
  movq %rsi, 0x40(%rdx)
  movq %rdi, 0x48(%rdx)
  vmovsd %xmm5, 0x50(%rdx)
  movq %r12, 0x58(%rdx)
  movl $0x3, (%rdx)
  addl $0xffffffff, 4(%rdx)
  movl $0x2, %eax
  movq 0x10(%rsp), %rbx
  movq 0x18(%rsp), %r12
  movq 0x20(%rsp), %r13
  movq 0x28(%rsp), %r14
  movq 0x30(%rsp), %r15
  addq $0x40, %rsp
  movq %rbp, %rsp
  popq %rbp
  retq
