# dot (array(float64, 1d, C), array(float64, 1d, C))
  pushq %rbp
  unwind PushFrameRegs { offset_upward_to_caller_sp: 16 }
  movq %rsp, %rbp
  unwind DefineNewFrame { offset_upward_to_caller_sp: 16, offset_downward_to_clobbers: 48 }
  subq $0x50, %rsp
  movq %rbx, 0x20(%rsp)
  unwind SaveReg { clobber_offset: 0, reg: p3i }
  movq %r12, 0x28(%rsp)
  unwind SaveReg { clobber_offset: 8, reg: p12i }
  movq %r13, 0x30(%rsp)
  unwind SaveReg { clobber_offset: 16, reg: p13i }
  movq %r14, 0x38(%rsp)
  unwind SaveReg { clobber_offset: 24, reg: p14i }
  movq %r15, 0x40(%rsp)
  unwind SaveReg { clobber_offset: 32, reg: p15i }
block0:
  movq %rsi, %r15
  movq (%rdi), %r11
  movq 8(%rdi), %r14
  movq %r14, <offset:1>+0x18(%rsp)
  movq 0x10(%rdi), %rax
  movq 0x18(%rdi), %r10
  movq %r10, <offset:1>+0x10(%rsp)
  movq 0x20(%rdi), %r8
  movq 0x28(%rdi), %r9
  movq %r9, <offset:1>+8(%rsp)
  movq 0x30(%rdi), %rsi
  movq 0x38(%rdi), %rdi
  movq %rdi, <offset:1>+(%rsp)
  movl 4(%rdx), %ecx
  leal 1(%rcx), %edi
  movl %edi, 4(%rdx)
  jmp     label1
block1:
  movl 8(%rdx), %edi
  leal 1(%rcx), %ecx
  cmpl %edi, %ecx
  jnbe    label22; j label2
block2:
  jmp     label3
block3:
  jmp     label4
block4:
  movq %rax, %rdi
  addq $0x0, %rdi
  seto %cl
  cmpq %rsi, %rdi
  setg %dil
  orl %ecx, %edi
  testb %dil, %dil
  jnz     label21; j label5
block5:
  uninit  %rbx
  xorq %rbx, %rbx
  uninit  %r12
  xorl %r12d, %r12d
  uninit  %xmm0
  vxorpd %xmm0, %xmm0, %xmm0
  cmpq %rbx, %rax
  movq %rbx, %r14
  cmovgeq %rax, %r14
  movq %rbx, %r13
  jmp     label6
block6:
  cmpq %r14, %rbx
  jl      label9; j label7
block7:
  jmp     label8
block8:
  movb %r12b, (%r15)
  vmovsd %xmm0, 8(%r15)
  addl $0xffffffff, 4(%rdx)
  uninit  %rax
  xorl %eax, %eax
  movq 0x20(%rsp), %rbx
  movq 0x28(%rsp), %r12
  movq 0x30(%rsp), %r13
  movq 0x38(%rsp), %r14
  movq 0x40(%rsp), %r15
  addq $0x50, %rsp
  movq %rbp, %rsp
  popq %rbp
  retq
block9:
  vmovsd (%r11, %r13, 8), %xmm2
  vmovsd (%r8, %r13, 8), %xmm3
  vmulsd %xmm3, %xmm2, %xmm1
  vmulsd (%rip), %xmm1, %xmm4
  vucomisd %xmm4, %xmm4
  jp      label11; j label10
block10:
  jmp     label13
block12:
  jmp     label13
block13:
  vaddsd %xmm1, %xmm0, %xmm6
  vmulsd (%rip), %xmm6, %xmm7
  vucomisd %xmm7, %xmm7
  jp      label15; j label14
block14:
  jmp     label17
block16:
  jmp     label17
block17:
  jmp     label18
block18:
  leaq 1(%rbx), %rbx
  leaq 1(%r13), %r13
  movl $0x1, %r12d
  movdqa %xmm6, %xmm0
  jmp     label6
block11:
  vucomisd %xmm1, %xmm1
  setp %cl
  vucomisd %xmm2, %xmm2
  setp %dil
  vucomisd %xmm3, %xmm3
  setp %r9b
  orl %r9d, %edi
  xorb $0x1, %dil
  andl %edi, %ecx
  movabsq $0x7fffffffffffffff, %rdi
  vmovq %rdi, %xmm4
  vandpd %xmm4, %xmm1, %xmm5
  movabsq $0x7ff0000000000000, %rdi
  vmovq %rdi, %xmm4
  vucomisd (%rip), %xmm5
  setnp %dil
  sete %r9b
  andl %r9d, %edi
  movabsq $0x7fffffffffffffff, %r9
  vmovq %r9, %xmm5
  vandpd %xmm5, %xmm2, %xmm5
  vucomisd %xmm5, %xmm4
  seta %r9b
  andb $0x1, %r9b
  movabsq $0x7fffffffffffffff, %r10
  vmovq %r10, %xmm5
  vandpd %xmm5, %xmm3, %xmm5
  vucomisd %xmm5, %xmm4
  seta %r10b
  andl %r10d, %r9d
  andl %r9d, %edi
  orl %edi, %ecx
  testb %cl, %cl
  jnz     label20; j label12
block15:
  vucomisd %xmm6, %xmm6
  setp %cl
  vucomisd %xmm0, %xmm0
  setp %r9b
  vucomisd %xmm1, %xmm1
  setp %dil
  orl %edi, %r9d
  xorb $0x1, %r9b
  andl %r9d, %ecx
  movabsq $0x7fffffffffffffff, %r10
  vmovq %r10, %xmm2
  vandpd %xmm2, %xmm6, %xmm3
  movabsq $0x7ff0000000000000, %rdi
  vmovq %rdi, %xmm2
  vucomisd (%rip), %xmm3
  setnp %dil
  sete %r9b
  andl %r9d, %edi
  movabsq $0x7fffffffffffffff, %r9
  vmovq %r9, %xmm3
  vandpd %xmm3, %xmm0, %xmm3
  vucomisd %xmm3, %xmm2
  seta %r9b
  andb $0x1, %r9b
  movabsq $0x7fffffffffffffff, %r10
  vmovq %r10, %xmm3
  vandpd %xmm3, %xmm1, %xmm3
  vucomisd %xmm3, %xmm2
  seta %r10b
  andl %r10d, %r9d
  andl %r9d, %edi
  orl %edi, %ecx
  testb %cl, %cl
  jnz     label19; j label16
block19:
  movq %r11, 0x10(%rdx)
  movq <offset:1>+0x18(%rsp), %r10
  movq %r10, 0x18(%rdx)
  movq %rax, 0x20(%rdx)
  movq <offset:1>+0x10(%rsp), %r9
  movq %r9, 0x28(%rdx)
  movq %r8, 0x30(%rdx)
  movq <offset:1>+8(%rsp), %rdi
  movq %rdi, 0x38(%rdx)
  movq %rsi, 0x40(%rdx)
  movq <offset:1>+(%rsp), %rcx
  movq %rcx, 0x48(%rdx)
  movq $0x1, 0x50(%rdx)
  movq %r14, 0x58(%rdx)
  movq $0x1, 0x60(%rdx)
  movq %rbx, 0x68(%rdx)
  movq %r13, 0x70(%rdx)
  movb %r12b, 0x78(%rdx)
  vmovsd %xmm0, 0x80(%rdx)
  vmovsd %xmm1, 0x88(%rdx)
  movl $0x0, (%rdx)
  addl $0xffffffff, 4(%rdx)
  movl $0x2, %eax
  movq 0x20(%rsp), %rbx
  movq 0x28(%rsp), %r12
  movq 0x30(%rsp), %r13
  movq 0x38(%rsp), %r14
  movq 0x40(%rsp), %r15
  addq $0x50, %rsp
  movq %rbp, %rsp
  popq %rbp
  retq
block20:
  movq <offset:1>+(%rsp), %rcx
  movq <offset:1>+8(%rsp), %rdi
  movq <offset:1>+0x10(%rsp), %r9
  movq <offset:1>+0x18(%rsp), %r10
  movq %r11, 0x10(%rdx)
  movq %r10, 0x18(%rdx)
  movq %rax, 0x20(%rdx)
  movq %r9, 0x28(%rdx)
  movq %r8, 0x30(%rdx)
  movq %rdi, 0x38(%rdx)
  movq %rsi, 0x40(%rdx)
  movq %rcx, 0x48(%rdx)
  movq $0x1, 0x50(%rdx)
  movq %r14, 0x58(%rdx)
  movq $0x1, 0x60(%rdx)
  movq %rbx, 0x68(%rdx)
  movq %r13, 0x70(%rdx)
  movb %r12b, 0x78(%rdx)
  vmovsd %xmm0, 0x80(%rdx)
  vmovsd %xmm2, 0x88(%rdx)
  vmovsd %xmm3, 0x90(%rdx)
  movl $0x1, (%rdx)
  addl $0xffffffff, 4(%rdx)
  movl $0x2, %eax
  movq 0x20(%rsp), %rbx
  movq 0x28(%rsp), %r12
  movq 0x30(%rsp), %r13
  movq 0x38(%rsp), %r14
  movq 0x40(%rsp), %r15
  addq $0x50, %rsp
  movq %rbp, %rsp
  popq %rbp
  retq
block21:
  movq <offset:1>+(%rsp), %rcx
  movq <offset:1>+8(%rsp), %rdi
  movq <offset:1>+0x10(%rsp), %r9
  movq <offset:1>+0x18(%rsp), %r10
  movq %r11, 0x10(%rdx)
  movq %r10, 0x18(%rdx)
  movq %rax, 0x20(%rdx)
  movq %r9, 0x28(%rdx)
  movq %r8, 0x30(%rdx)
  movq %rdi, 0x38(%rdx)
  movq %rsi, 0x40(%rdx)
  movq %rcx, 0x48(%rdx)
  uninit  %xmm3
  vxorpd %xmm3, %xmm3, %xmm5
  vmovsd %xmm5, 0x50(%rdx)
  uninit  %rsi
  xorq %rsi, %rsi
  movq $0x0, 0x58(%rdx)
  movq $0x1, 0x60(%rdx)
  cmpq %rsi, %rax
  cmovgeq %rax, %rsi
  movq %rsi, 0x68(%rdx)
  movq $0x0, 0x70(%rdx)
  movq $0x1, 0x78(%rdx)
  movl $0x2, %eax
  movl $0x2, (%rdx)
  addl $0xffffffff, 4(%rdx)
  movq 0x20(%rsp), %rbx
  movq 0x28(%rsp), %r12
  movq 0x30(%rsp), %r13
  movq 0x38(%rsp), %r14
  movq 0x40(%rsp), %r15
  addq $0x50, %rsp
  movq %rbp, %rsp
  popq %rbp
  retq
block22:
  movq <offset:1>+(%rsp), %rcx
  movq <offset:1>+8(%rsp), %rdi
  movq <offset:1>+0x10(%rsp), %r9
  movq <offset:1>+0x18(%rsp), %r10
  movq %r11, 0x10(%rdx)
  movq %r10, 0x18(%rdx)
  movq %rax, 0x20(%rdx)
  movq %r9, 0x28(%rdx)
  movq %r8, 0x30(%rdx)
  movq %rdi, 0x38(%rdx)
  movq %rsi, 0x40(%rdx)
  movq %rcx, 0x48(%rdx)
  movl $0x4, (%rdx)
  addl $0xffffffff, 4(%rdx)
  movl $0x2, %eax
  movq 0x20(%rsp), %rbx
  movq 0x28(%rsp), %r12
  movq 0x30(%rsp), %r13
  movq 0x38(%rsp), %r14
  movq 0x40(%rsp), %r15
  addq $0x50, %rsp
  movq %rbp, %rsp
  popq %rbp
  retq
